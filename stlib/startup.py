"""Start TensorFlow without its start-up lines reaching the user's screen.

Importing TensorFlow prints lines from C++ (oneDNN, "Could not find cuda drivers", CPU
instructions, absl's "before InitializeLog") straight to file descriptor 2: ``TF_CPP_MIN_LOG_LEVEL``
does not stop all of them and ``sys.stderr`` never sees them. In a terminal they bury the CLI's
own messages; in Jupyter they become a pink box under the imports cell. ``start_tensorflow()``
imports TensorFlow and Keras with descriptor 2 sent to a temporary file, and replays that file
only if the import fails, so no error is lost.

    from stlib.startup import start_tensorflow
    start_tensorflow()          # before the first `import tensorflow` (the CLI, every notebook)
    import tensorflow as tf     # already imported: quiet

This module does not import TensorFlow at import time.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator

__all__ = ["start_tensorflow", "stderr_hidden"]


@contextlib.contextmanager
def stderr_hidden() -> Iterator[None]:
    """Send fd 2 to a temporary file (C++ logging ignores sys.stderr); replay it on error."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        except BaseException as error:
            os.dup2(saved, 2)
            if not isinstance(error, KeyboardInterrupt):
                captured.seek(0)
                sys.stderr.write(captured.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def start_tensorflow() -> None:
    """Import TensorFlow and Keras without their start-up lines; nothing if already imported."""
    if "tensorflow" in sys.modules:
        return
    # TensorFlow's C++ INFO lines (graph passes, dataset patches) print later too, outside this
    # function, into a notebook's cell output; warnings and errors still show.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    with stderr_hidden():
        import keras  # noqa: F401
        import tensorflow

        tensorflow.config.list_physical_devices()  # device start-up logs its own lines (cuInit)
