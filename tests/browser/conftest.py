"""Fixtures of the browser tests: a JupyterLab server on a temporary copy of the notebooks, and
headless Chromium driven by Selenium. Both skip, saying what is missing, when the tools are not
installed (CI installs them: .ci/run adds Debian's chromium and chromium-driver, the dev extra
selenium, the notebooks extra JupyterLab)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
SERVER_START_SECONDS = 90

# JupyterLab user settings for the test: every cell in the DOM (the default windowing attaches
# only the cells in view, so the explorer would not exist until scrolled to) and no news toast.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def _first_program(names: tuple[str, ...]) -> str | None:
    """The path of the first of ``names`` on PATH, or None."""
    return next((path for path in map(shutil.which, names) if path), None)


@pytest.fixture(scope="session")
def browser_tools() -> tuple[str, str]:
    """(chromium, chromedriver) paths, or skip saying which tool is missing."""
    missing = []
    if importlib.util.find_spec("selenium") is None:
        missing.append("the Python package selenium (pip install -e '.[dev]')")
    chromium = _first_program(CHROMIUM_NAMES)
    driver = _first_program(("chromedriver",))
    if chromium is None:
        missing.append("Chromium (apt-get install chromium)")
    if driver is None:
        missing.append("chromedriver (apt-get install chromium-driver)")
    if importlib.util.find_spec("jupyterlab") is None:
        missing.append("JupyterLab (pip install -e '.[notebooks]')")
    if missing:
        pytest.skip("browser test needs " + ", ".join(missing))
    return chromium, driver


def _free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_lab_settings(folder: Path) -> None:
    for name, values in LAB_SETTINGS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _wait_for_server(url: str, process: subprocess.Popen, log: Path) -> None:
    """Poll ``url`` until the server answers; fail with the end of its log if it dies or hangs."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(
        f"JupyterLab did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()[-3000:]}"
    )


@pytest.fixture(scope="session")
def jupyterlab(browser_tools, tmp_path_factory) -> str:
    """Base URL of a JupyterLab server (token off) whose root holds a copy of notebooks/.

    The server runs the notebooks in quick mode with the offline folders, and keeps its
    settings, runtime files and the executed notebooks in temporary folders: nothing in the
    repository changes.
    """
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(REPOSITORY / "notebooks", root / "notebooks")
    home = tmp_path_factory.mktemp("lab-home")
    _write_lab_settings(home / "settings")
    env = dict(os.environ)
    env.update(
        STLIB_QUICK="1",
        TF_CPP_MIN_LOG_LEVEL=env.get("TF_CPP_MIN_LOG_LEVEL", "3"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH")])),
    )
    for variable in ("STLIB_MODELS_DIR", "STLIB_DATA_DIR"):  # set by the root conftest.py
        if os.environ.get(variable):
            env[variable] = os.environ[variable]
    port = _free_port()
    log = home / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--ServerApp.root_dir={root}",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.allow_root=True",  # CI runs as root
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: run commands, read state
    ]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, env=env, cwd=root, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(f"{base}/api/status", process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def chromium(browser_tools):
    """A headless Chromium under Selenium; closed after the test."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = browser_tools
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1300",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def screenshot_folder(tmp_path) -> Path:
    """Where the screenshots go: $STLIB_SCREENSHOTS if set, else the test's temporary folder."""
    folder = Path(os.environ.get("STLIB_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
