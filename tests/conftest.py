"""Test-wide settings.

Property tests (hypothesis) explore new random inputs on every local run; in CI (``CI`` set, as
``.ci/run`` is run) they are derandomized, so a submission's result does not depend on the draw.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
