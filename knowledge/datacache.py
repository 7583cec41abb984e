"""The parsed-data cache every data loader shares (reasons, providers, bounce formats).

Parsing and checking ~100 TOML files on every CLI start would cost tens of milliseconds, so each
loader keeps what it built from its files in one :mod:`marshal` file, named by a checksum of the
loader's kind, its format version and every file's path, size and modification time: an edited,
added or removed file, or a new version of the loader's checks, is a different name, so a stale
cache is never read.  The directory is ``$SMTPBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/smtpbot``,
else ``~/.cache/smtpbot``; ``SMTPBOT_NO_CACHE`` (any value) switches the cache off.  A read-only
or missing home directory only means working without the cache.

Import-cheap on purpose (only the standard library modules the interpreter has loaded anyway).
"""

from __future__ import annotations

import marshal
import os
import zlib
from pathlib import Path
from typing import Callable, TypeVar

__all__ = ["cache_file", "cached", "read_toml"]

T = TypeVar("T")


def cache_file(kind: str, version: int, paths: list[Path]) -> Path | None:
    """Where ``kind``'s data built from ``paths`` is cached, or None when the cache is switched off.

    ``kind``: the loader's name (``"reasons"``), part of the file name; ``version``: the loader's cache
    format version (bump it when its checks or its built form change).  Two independent 32-bit
    checksums of the key make a 64-bit name (hashlib would cost ~2 ms to import on every CLI start).
    Raises OSError when a path cannot be stat'ed.
    """
    if os.environ.get("SMTPBOT_NO_CACHE"):
        return None
    base = os.environ.get("SMTPBOT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "smtpbot")
    key = "\n".join([kind, str(version)] + [f"{p}|{st.st_size}|{st.st_mtime_ns}" for p, st in
                                            ((path, path.stat()) for path in paths)]).encode()
    return Path(base) / f"{kind}-{zlib.crc32(key):08x}{zlib.adler32(key):08x}.marshal"


def _read(cache: Path) -> object | None:
    try:
        return marshal.loads(cache.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _write(cache: Path, data: object) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(data))
        os.replace(tmp, cache)  # atomic: a concurrent reader sees the old file or the new one
    except (OSError, ValueError):
        pass  # read-only home, or a value marshal cannot write (a TOML date): work without the cache


def cached(kind: str, version: int, paths: list[Path], build: Callable[[], T],
           accept: Callable[[object], bool] = lambda data: True, use_cache: bool = True) -> T:
    """``build()``'s result for these files, from the cache when it holds one that ``accept`` takes.

    ``build`` parses and checks the files and returns plain data (dicts, lists, tuples, str, int,
    float, bool, None: what :mod:`marshal` writes); its errors propagate, and nothing is cached then.
    ``accept`` is a cheap shape check of a cached value (a cache written by another build).
    ``use_cache`` False: always build, never read or write the cache (tests, data dirs of one's own).
    """
    cache = cache_file(kind, version, paths) if use_cache else None
    if cache is not None:
        data = _read(cache)
        if data is not None and accept(data):
            return data  # type: ignore[return-value]
    data = build()
    if cache is not None:
        _write(cache, data)
    return data


def read_toml(path: Path, error: type[Exception]) -> dict:
    """Parse one TOML data file (on a cold cache only: importing :mod:`tomllib` costs ~2 ms).

    Raises ``error`` (the loader's own error class) naming the file: ``"<name>: not valid TOML: ..."`` or
    ``"<name>: cannot be read: ..."``."""
    import tomllib

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path.name}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise error(f"{path.name}: cannot be read: {exc.strerror}") from None
