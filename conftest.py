"""pytest's settings for the whole repository: the library's docstring examples, the tests and the
notebooks. Tests never download: they read the offline folders named by STLIB_MODELS_DIR /
STLIB_DATA_DIR (CI sets them to ../shared; a checkout beside shared/ finds it here), or skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# A developer checkout sits beside the course's shared/ folder, as CI's clone does.
_SHARED = Path(__file__).resolve().parent.parent / "shared"
for variable, folder in (("STLIB_MODELS_DIR", "models"), ("STLIB_DATA_DIR", "images")):
    if not os.environ.get(variable) and (_SHARED / folder).is_dir():
        os.environ[variable] = str(_SHARED / folder)

# stlib/fast.py only says that the package is now stlib.cin (importing it raises): no tests there.
collect_ignore = ["stlib/fast.py"]
# The app's page is a Streamlit script (importing it draws the page and starts TensorFlow); the app
# is tested under Streamlit's AppTest in tests/app.
collect_ignore += ["stlib/app/streamlit_app.py"]


def pytest_ignore_collect(collection_path, config):
    """conftest.py files are plugins, loaded as such: with --doctest-modules pytest would also
    import each as a module named "conftest", and the second folder's clashes with the first."""
    if collection_path.name == "conftest.py":
        return True
    return None


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: `make test` runs two workers
def pytest_xdist_make_scheduler(config, log):
    """Work handed out a module at a time (its module fixtures made once), except: the figure
    tests and the report build share one folder of quick figures, so they go to one worker
    together (tests/figures/conftest.py); each notebook's Run All goes alone, so the eight
    notebooks spread over both workers."""
    from xdist.scheduler import LoadScopeScheduling

    class ByModule(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/figures/"):
                return "tests/figures"
            if "::test_an_untouched_notebook_" in nodeid:
                return nodeid
            return super()._split_scope(nodeid)

    return ByModule(config, log)
