"""start_tensorflow: TensorFlow's C++ start-up lines never reach fd 2; an error's lines do."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from stlib.startup import stderr_hidden

# TF_CPP_MIN_LOG_LEVEL does not stop these (they come before absl's logging starts).
STARTUP_MARKERS = ("oneDNN", "cuda", "absl::InitializeLog", "cpu_feature_guard")


def _stderr_of(code: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.mark.slow
def test_start_tensorflow_keeps_the_start_up_lines_off_fd_2():
    plain = _stderr_of("import tensorflow as tf; tf.config.list_physical_devices()")
    if not any(marker in plain for marker in STARTUP_MARKERS):
        pytest.skip("this TensorFlow build prints no start-up lines here")
    quiet = _stderr_of(
        "from stlib.startup import start_tensorflow; start_tensorflow(); "
        "import tensorflow as tf; print(tf.constant(1.0) + 1)"
    )
    assert not any(marker in quiet for marker in STARTUP_MARKERS), quiet


def test_what_was_hidden_is_replayed_when_the_block_fails(capfd):
    with pytest.raises(RuntimeError), stderr_hidden():
        os.write(2, b"the C++ reason it failed\n")
        raise RuntimeError("import failed")
    assert "the C++ reason it failed" in capfd.readouterr().err


def test_what_was_hidden_stays_hidden_when_the_block_succeeds(capfd):
    with stderr_hidden():
        os.write(2, b"noise\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"
