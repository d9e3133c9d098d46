"""stlib.folders: a folder run's plan (names that never collide, a reason for each skip) and its
summary, without TensorFlow."""

from __future__ import annotations

import errno
import subprocess
import sys

import pytest
from bad_files import picture, png_header

from stlib import folders, outputs


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("e.png", "e.gif", "E.PNG", "f.gif", "g.jpg"):
        picture(folder / name)
    return folder


def test_output_names_never_collide_and_each_rename_is_said(photos, tmp_path):
    plan = folders.plan_folder(photos, tmp_path / "out")
    names = {job.source.name: job.target.name for job in plan.jobs}
    # Formats stlib writes keep their name; a GIF becomes .png unless that name is taken.
    assert names == {
        "E.PNG": "E.PNG",
        "e.png": "e.png.png",  # E.PNG and e.png are one file on macOS and Windows disks
        "e.gif": "e.gif.png",
        "f.gif": "f.png",
        "g.jpg": "g.jpg",
    }
    assert len({name.lower() for name in names.values()}) == len(names)
    assert len(plan.notes) == 2
    assert any("e.gif is written as e.gif.png" in note for note in plan.notes)
    assert all(job.target.parent == tmp_path / "out" for job in plan.jobs)
    assert not (tmp_path / "out").exists()  # planning creates nothing


def test_each_skipped_entry_has_its_reason(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    picture(folder / "ok.png")
    png_header(folder / "huge.png", 30000, 30000)
    (folder / "notes.txt").write_text("hello")
    (folder / "cut.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # a signature and nothing else
    (folder / "sub").mkdir()
    (folder / ".DS_Store").write_bytes(b"\0")  # hidden: nobody's photo, not mentioned
    plan = folders.plan_folder(folder, tmp_path / "out")
    assert [job.source.name for job in plan.jobs] == ["ok.png"]
    reasons = dict(plan.skipped)
    assert reasons["huge.png"] == "too large: 30000x30000 px (at most 64,000,000 pixels)"
    assert reasons["notes.txt"] == "not an image"
    assert reasons["sub/"].startswith("a folder")
    assert reasons["cut.png"].startswith("cannot be read") or reasons["cut.png"] == "not an image"
    assert ".DS_Store" not in reasons


@pytest.mark.parametrize("output", ["same", "file", "photo-suffix"])
def test_an_unusable_output_folder_is_refused(photos, tmp_path, output):
    target = {"same": photos, "file": tmp_path / "x.txt", "photo-suffix": tmp_path / "o.png"}[
        output
    ]
    if output == "file":
        target.write_text("mine")
    with pytest.raises(outputs.OutputPathError) as raised:
        folders.plan_folder(photos, target)
    assert str(target) in str(raised.value)


def test_an_output_that_is_a_painting_is_refused(photos, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    painting = picture(out / "g.jpg")  # the pastiche of photos/g.jpg would replace it
    with pytest.raises(outputs.OutputPathError, match="g.jpg"):
        folders.plan_folder(photos, out, inputs=[painting])


def test_a_folder_with_no_photo_is_refused_counting_the_rest(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "a.txt").write_text("x")
    with pytest.raises(outputs.OutputPathError, match=r"holds no image to stylise \(1 other entry"):
        folders.plan_folder(folder, tmp_path / "out")


def test_the_summary_counts_every_entry(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    for k in range(6):
        picture(folder / f"{k}.png")
    (folder / "n.txt").write_text("x")
    plan = folders.plan_folder(folder, tmp_path / "out")
    tally = folders.FolderTally(plan)
    tally.written(plan.jobs[0])
    full = outputs.WriteError(plan.jobs[1].target, OSError(errno.ENOSPC, "No space left on device"))
    line = tally.failed(plan.jobs[1], full)
    assert line.startswith("failed 1.png: cannot write") and "No space left on device" in line
    for job in plan.jobs[2:6]:
        tally.failed(job, PermissionError(errno.EACCES, "Permission denied"))
    assert tally.any_failed
    assert tally.summary(seconds=1.25) == (
        f"7 entries of {folder}: 1 written to {tmp_path / 'out'}, 1 skipped (not an image: n.txt), "
        "5 failed (No space left on device: 1.png; "
        "Permission denied: 2.png, 3.png, 4.png and 1 more) in 1.2 s"
    )
    interrupted = folders.FolderTally(plan)
    interrupted.written(plan.jobs[0])
    assert interrupted.summary().endswith(
        "1 written to " + str(tmp_path / "out") + ", 1 skipped (not an image: n.txt), 5 not reached"
    )


def test_module_does_not_import_tensorflow():
    code = "import sys, stlib.folders; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
