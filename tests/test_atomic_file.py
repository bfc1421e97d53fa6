"""The one atomic write every output goes through."""

from __future__ import annotations

import os

import pytest

from ganzoo.atomic_file import write_atomic, write_text_atomic
from ganzoo.errors import GanzooError


def test_replaces_whole_file_with_readable_permissions(tmp_path):
    target = tmp_path / "sub" / "a.txt"
    write_text_atomic(target, "one")
    write_text_atomic(target, "two")
    assert target.read_text() == "two"
    assert os.stat(target).st_mode & 0o044  # not mkstemp's 0600
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.txt"]


def test_refuses_to_replace_without_overwrite_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.png"
    target.write_text("mine")
    with pytest.raises(GanzooError, match="already exists; pass --force"):
        write_atomic(target, lambda temp: temp.write_text("new"), overwrite=False)
    assert target.read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_fsyncs_before_the_rename(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    write_text_atomic(tmp_path / "b.json", "{}")
    assert synced
