"""The parsed-data cache the data loaders share (knowledge.datacache)."""

from __future__ import annotations

import os

from knowledge.datacache import cache_file, cached


def _files(tmp_path):
    a = tmp_path / "a.toml"
    a.write_text("x = 1\n")
    return [a]


def test_built_once_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTPBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SMTPBOT_NO_CACHE", raising=False)
    paths, calls = _files(tmp_path), []
    build = lambda: calls.append(1) or {"n": len(calls)}  # noqa: E731
    assert cached("demo", 1, paths, build) == {"n": 1}
    assert cached("demo", 1, paths, build) == {"n": 1}
    assert len(calls) == 1
    assert cache_file("demo", 1, paths).parent == tmp_path / "cache"
    assert cache_file("demo", 1, paths).name.startswith("demo-")


def test_an_edited_file_or_a_new_version_is_another_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTPBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SMTPBOT_NO_CACHE", raising=False)
    paths = _files(tmp_path)
    first = cache_file("demo", 1, paths)
    assert cache_file("demo", 2, paths) != first
    assert cache_file("other", 1, paths) != first
    paths[0].write_text("x = 22\n")
    os.utime(paths[0], ns=(1, 1))
    assert cache_file("demo", 1, paths) != first


def test_rejected_shape_is_rebuilt_and_switches_off(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTPBOT_CACHE_DIR", str(tmp_path / "cache"))
    paths = _files(tmp_path)
    cached("demo", 1, paths, lambda: [1, 2])
    assert cached("demo", 1, paths, lambda: [3], accept=lambda d: len(d) == 1) == [3]
    monkeypatch.setenv("SMTPBOT_NO_CACHE", "1")
    assert cache_file("demo", 1, paths) is None
    assert cached("demo", 1, paths, lambda: "fresh") == "fresh"


def test_unwritable_cache_dir_only_means_no_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("SMTPBOT_CACHE_DIR", str(blocker / "sub"))  # a directory under a file: cannot exist
    monkeypatch.delenv("SMTPBOT_NO_CACHE", raising=False)
    assert cached("demo", 1, _files(tmp_path), lambda: {"ok": True}) == {"ok": True}
