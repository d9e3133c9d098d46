"""Tests for stlib.outputs: path checks before the work, atomic writes after it.

Tests and CI often run as root, who ignores folder permissions; the tests that need a normal user
say so and skip, the others rely on checks that hold for root too (permission bits, /proc).
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from stlib import outputs
from stlib.outputs import OutputPathError

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _listing(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------------------------------------
# check_output_path
# ---------------------------------------------------------------------------------------------


def test_check_accepts_a_new_path_and_creates_nothing(tmp_path):
    target = tmp_path / "a" / "b" / "out.PNG"
    assert outputs.check_output_path(target, suffixes={".png"}) == target
    assert _listing(tmp_path) == []  # no folders made, probe file gone


def test_check_expands_user(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert outputs.check_output_path("~/out.png") == tmp_path / "out.png"


def test_check_bad_suffix_lists_the_accepted_ones(tmp_path):
    with pytest.raises(
        OutputPathError, match=r"'\.gif' is not supported; use one of \.jpg, \.png$"
    ):
        outputs.check_output_path(tmp_path / "out.gif", suffixes=[".png", ".jpg"])
    with pytest.raises(OutputPathError, match=r"history '.*out': extension '\(none\)'"):
        outputs.check_output_path(tmp_path / "out", what="history", suffixes=[".json"])
    # A lone string is one suffix, not a set of characters.
    with pytest.raises(OutputPathError, match=r"use one of \.json$"):
        outputs.check_output_path(tmp_path / "out.j", suffixes=".json")
    assert outputs.check_output_path(tmp_path / "out.JSON", suffixes=".json").name == "out.JSON"


def test_check_refuses_a_folder(tmp_path):
    (tmp_path / "results").mkdir()
    with pytest.raises(OutputPathError, match=r"snapshot '.*results' is a folder; add a file name"):
        outputs.check_output_path(tmp_path / "results", what="snapshot")


def test_check_refuses_a_parent_that_is_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("a file")
    with pytest.raises(
        OutputPathError,
        match=r"out\.png' cannot be created: '.*notes\.txt' is a file, not a folder",
    ):
        outputs.check_output_path(tmp_path / "notes.txt" / "deeper" / "out.png")


@pytest.mark.skipif(IS_ROOT, reason="root writes into read-only (0o555) folders anyway")
def test_check_refuses_a_folder_that_is_not_writable(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(OutputPathError, match=r"folder '.*locked' is not writable"):
            outputs.check_output_path(locked / "sub" / "out.png")
    finally:
        locked.chmod(0o755)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_check_refuses_an_unwritable_system_folder():
    # Nobody, root included, can create files directly in /proc: the probe must really write.
    with pytest.raises(OutputPathError, match=r"folder '/proc' is not writable"):
        outputs.check_output_path("/proc/stlib_no_such_dir/out.png")


def test_check_refuses_a_read_only_file_even_as_root(tmp_path):
    target = tmp_path / "out.png"
    target.write_bytes(b"old result")
    target.chmod(0o444)
    try:
        with pytest.raises(
            OutputPathError,
            match=r"output '.*out\.png' exists and is read-only; make it writable or choose",
        ):
            outputs.check_output_path(target)
        # atomic_write refuses it too, and the file is untouched.
        with pytest.raises(OutputPathError, match=r"read-only"):
            outputs.write_bytes(target, b"new")
        assert target.read_bytes() == b"old result"
        assert _listing(tmp_path) == ["out.png"]
    finally:
        target.chmod(0o644)
    # Writable again: accepted.
    assert outputs.check_output_path(target) == target


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_check_refuses_a_special_file():
    with pytest.raises(OutputPathError, match=r"'/dev/null' exists and is not a regular file"):
        outputs.check_output_path("/dev/null")


def test_check_refuses_an_input_as_output(tmp_path, monkeypatch):
    (tmp_path / "dir").mkdir()
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"the only copy")
    monkeypatch.chdir(tmp_path)
    message = r"output 'photo\.png' is the same file as the input 'photo\.png'; choose another path"
    with pytest.raises(OutputPathError, match=message):
        outputs.check_output_path("photo.png", inputs=["photo.png"])
    # Another spelling of the same path.
    with pytest.raises(OutputPathError, match=r"'dir/\.\./photo\.png' is the same file as"):
        outputs.check_output_path("dir/../photo.png", inputs=[photo])
    # A lone path (not in a list) counts too.
    with pytest.raises(OutputPathError, match=r"same file as the input"):
        outputs.check_output_path(photo, inputs=str(photo))
    assert photo.read_bytes() == b"the only copy"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_check_refuses_a_symlink_to_an_input(tmp_path):
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"the only copy")
    link = tmp_path / "link.png"
    link.symlink_to(photo)
    with pytest.raises(OutputPathError, match=r"link\.png' is the same file as the input"):
        outputs.check_output_path(link, inputs=[photo])
    with pytest.raises(OutputPathError, match=r"photo\.png' is the same file as the input"):
        outputs.check_output_path(photo, inputs=[link])


def test_check_ignores_inputs_that_are_not_local_files(tmp_path):
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"x")
    inputs = ["https://example.com/photo.png", "tubingen", None, b"bytes", object(), photo]
    target = tmp_path / "result.png"
    assert outputs.check_output_path(target, inputs=inputs) == target
    # A missing input named like the output is not a file the run could lose.
    assert outputs.check_output_path(target, inputs=[target]) == target


def test_check_refuses_two_outputs_with_one_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir").mkdir()
    with pytest.raises(
        OutputPathError,
        match=r"history 'out\.json' is the same file as another output of this run, 'out\.json'",
    ):
        outputs.check_output_path("out.json", what="history", others=["out.png", "out.json"])
    with pytest.raises(OutputPathError, match=r"another output of this run, '.*out\.json'"):
        outputs.check_output_path("dir/../out.json", others=[tmp_path / "out.json"])
    assert outputs.check_output_path("out.json", others=["out.png", None]) == Path("out.json")


def test_check_refuses_a_path_that_is_not_a_path():
    with pytest.raises(OutputPathError, match=r"snapshot path must be a str or Path, got a int"):
        outputs.check_output_path(3, what="snapshot")


# ---------------------------------------------------------------------------------------------
# atomic_write, write_bytes, write_text
# ---------------------------------------------------------------------------------------------


def test_atomic_write_replaces_content_and_keeps_the_old_mode(tmp_path):
    target = tmp_path / "out.png"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with outputs.atomic_write(target) as temporary:
        assert temporary.parent == tmp_path
        assert temporary.name.startswith(".out.png.") and temporary.name.endswith(".tmp")
        temporary.write_bytes(b"new content")
        assert target.read_bytes() == b"old"  # nothing visible until the block ends
    assert target.read_bytes() == b"new content"
    assert _mode(target) == 0o640
    assert _listing(tmp_path) == ["out.png"]


def test_atomic_write_new_file_gets_umask_mode_or_the_given_one(tmp_path):
    umask = os.umask(0o027)
    try:
        outputs.write_bytes(tmp_path / "new.bin", b"x")
        with outputs.atomic_write(tmp_path / "chosen.bin", mode=0o600) as temporary:
            temporary.write_bytes(b"y")
    finally:
        os.umask(umask)
    assert _mode(tmp_path / "new.bin") == 0o640  # 0o666 & ~0o027, not mkstemp's 0o600
    assert _mode(tmp_path / "chosen.bin") == 0o600


@pytest.mark.parametrize("interruption", [RuntimeError("writer failed"), KeyboardInterrupt()])
def test_atomic_write_failure_leaves_the_old_file_and_no_debris(tmp_path, interruption):
    target = tmp_path / "out.png"
    target.write_bytes(b"old result")
    before = _listing(tmp_path)
    with pytest.raises(type(interruption)), outputs.atomic_write(target) as temporary:
        temporary.write_bytes(b"half a fi")
        raise interruption
    assert target.read_bytes() == b"old result"
    assert _listing(tmp_path) == before


def test_atomic_write_failure_without_an_old_file_leaves_nothing(tmp_path):
    with pytest.raises(OSError), outputs.atomic_write(tmp_path / "out.png") as temporary:
        temporary.write_bytes(b"partial")
        raise OSError("disk full")
    assert _listing(tmp_path) == []


def test_atomic_write_creates_missing_folders(tmp_path):
    target = tmp_path / "a" / "b" / "c" / "out.txt"
    assert outputs.write_text(target, "hello") == target
    assert target.read_text() == "hello"
    assert _listing(target.parent) == ["out.txt"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_atomic_write_writes_through_a_symlink(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    outputs.write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_atomic_write_refuses_a_folder(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(OutputPathError, match=r"out' is a folder"):
        outputs.write_bytes(tmp_path / "out", b"x")


def test_write_bytes_and_text_round_trip(tmp_path):
    data = bytes(range(256)) * 3
    assert outputs.write_bytes(tmp_path / "data.bin", data) == tmp_path / "data.bin"
    assert (tmp_path / "data.bin").read_bytes() == data
    text = "Gatys, Ecker & Bethge — style ∑ 2015\n"
    assert outputs.write_text(tmp_path / "notes.txt", text) == tmp_path / "notes.txt"
    assert (tmp_path / "notes.txt").read_bytes() == text.encode("utf-8")
    outputs.write_text(tmp_path / "latin.txt", "café", encoding="latin-1")
    assert (tmp_path / "latin.txt").read_bytes() == b"caf\xe9"
    # Overwriting replaces the whole file, including a longer old one.
    outputs.write_text(tmp_path / "notes.txt", "short")
    assert (tmp_path / "notes.txt").read_text() == "short"


def test_module_does_not_import_tensorflow():
    code = "import stlib.outputs, sys; print('tensorflow' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------
# WriteError: a full disk or a refused write names the file and what was kept
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def disk_full(monkeypatch):
    """Flushing any file fails as on a full disk (folders still flush)."""

    def fsync(path, *, folder=False):
        if not folder:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "_fsync", fsync)


@pytest.mark.parametrize("old", [b"old result", None])
def test_a_full_disk_is_a_write_error_naming_the_file(tmp_path, disk_full, old):
    target = tmp_path / "out.png"
    if old is not None:
        target.write_bytes(old)
    before = _listing(tmp_path)
    with pytest.raises(outputs.WriteError) as raised:
        outputs.write_bytes(target, b"the new picture")
    error = raised.value
    assert isinstance(error, OSError) and error.errno == errno.ENOSPC
    kept = "the file already there is unchanged" if old else "nothing was written"
    assert str(error) == f"cannot write '{target}' (No space left on device); {kept}"
    assert _listing(tmp_path) == before  # no temporary file left behind
    assert (target.read_bytes() if old else None) == old


def test_a_write_error_says_what_the_run_had_reached(tmp_path, disk_full):
    target = tmp_path / "net_checkpoint.npz"
    with pytest.raises(outputs.WriteError) as raised:
        outputs.write_bytes(target, b"weights")
    error = raised.value.during("at step 40 of 300", what="checkpoint")
    assert str(error) == (
        f"cannot write checkpoint '{target}' at step 40 of 300 (No space left on device); "
        "nothing was written"
    )


def test_a_folder_that_cannot_be_made_is_a_write_error(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("a file where the folder should go")
    with pytest.raises(outputs.WriteError, match=r"cannot write '.*taken/out.png' \("):
        outputs.write_bytes(blocker / "out.png", b"x")
    assert blocker.read_text() == "a file where the folder should go"


# ---------------------------------------------------------------------------------------------
# check_run_paths / check_output_folder: every output against every input, before any work
# ---------------------------------------------------------------------------------------------


def test_run_paths_explain_a_wrong_suffix_before_a_clash(tmp_path):
    files = [("output", tmp_path / "out.txt", (".png",)), ("history", tmp_path / "out.txt", None)]
    with pytest.raises(OutputPathError, match="extension '.txt' is not supported"):
        outputs.check_run_paths(files)


def test_run_paths_refuse_two_outputs_in_one_file(tmp_path):
    files = [("output", tmp_path / "a.png", (".png",)), ("history", tmp_path / "a.png", None)]
    with pytest.raises(OutputPathError, match="history '.*a.png' is the same file as the output"):
        outputs.check_run_paths(files)


def test_run_paths_refuse_any_output_that_is_an_input(tmp_path):
    config = tmp_path / "good.json"
    config.write_text("{}")
    files = [("output", tmp_path / "g.png", (".png",)), ("history", config, None)]
    with pytest.raises(OutputPathError, match="good.json"):
        outputs.check_run_paths(files, inputs=["tuebingen", 3.0, str(config)])
    assert config.read_text() == "{}"
    good = outputs.check_run_paths(files[:1], inputs=[str(config)])
    assert good == [tmp_path / "g.png"] and _listing(tmp_path) == ["good.json"]


def test_an_output_folder_must_not_hold_an_input(tmp_path):
    samples = tmp_path / "net_samples"
    samples.mkdir()
    style = samples / "style.png"
    style.write_bytes(b"painting")
    with pytest.raises(OutputPathError, match="holds the input"):
        outputs.check_run_paths([], inputs=[style], folders=[("samples folder", samples)])
    with pytest.raises(OutputPathError, match="is not a folder"):
        outputs.check_output_folder(style)
    assert outputs.check_output_folder(tmp_path / "new" / "folder") == tmp_path / "new" / "folder"
    assert not (tmp_path / "new").exists()
