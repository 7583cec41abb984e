"""Bounce formats: one home per format of notice that needs more than the generic reading.

Like Sisimai's ``lhost/``: every format (the MTA or service that wrote the
notice) has one data file ``knowledge/data/formats/<id>.toml`` (its name,
sources, notice phrases and reason tables), and, when it needs a reading of
its own, one module here named in that file's ``module`` key.  The order in
which readers and adjusters are tried is in :mod:`knowledge.bounce.formats.registry`;
what a module is given and returns is in :mod:`knowledge.bounce.formats.base`;
the data-file loader is :mod:`knowledge.bounce.formats.data`.

Formats with only a data file (Exim, Postfix, Gmail, Exchange / Microsoft 365,
Notes / Domino, Yahoo, DragonFly, ...) are read by the generic notice reader
(:mod:`knowledge.bounce.text`), which their phrases guide.

This package's ``__init__`` imports nothing, so that the generic readers can
import one format module (``qmail``, ``sendmail``) without the registry.
"""
