"""The app in a real browser: a Streamlit server on a free local port, headless Chromium driven by
Selenium (Debian's chromium and chromium-driver; CI installs them).

The page fills in over a websocket after the HTML arrives, so the test waits for elements, never
for a fixed time: it picks the arbitrary method and a sample pair (Yellow Labrador, The Great
Wave), waits for the pastiche, checks that the picture drawn is not empty, moves the strength
slider, and saves screenshots at a wide and a narrow window under the test's temporary folder
(their paths are printed, with the measured first page load and slider move).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from app_test_helpers import APP, REPOSITORY

from stlib.app import STREAMLIT_OPTIONS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SERVER_START_SECONDS = 90
PAGE_SECONDS = 120  # first page load: TensorFlow starts and the model loads on the first visit
WIDE, NARROW, HEIGHT = 1400, 800, 1300
RESULT = "Arbitrary (real time)"

# The result image's pixels, drawn on a canvas: their standard deviation (0 for a blank picture).
PICTURE_SPREAD = """
const image = arguments[0];
if (!image.complete || image.naturalWidth === 0) return -1;
const canvas = document.createElement('canvas');
canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
const context = canvas.getContext('2d');
context.drawImage(image, 0, 0);
const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
let sum = 0, squares = 0, count = 0;
for (let i = 0; i < pixels.length; i += 4) {
  const gray = (pixels[i] + pixels[i + 1] + pixels[i + 2]) / 3;
  sum += gray; squares += gray * gray; count += 1;
}
const mean = sum / count;
return Math.sqrt(squares / count - mean * mean);
"""


def _program(*names: str) -> str | None:
    return next((path for path in map(shutil.which, names) if path), None)


@pytest.fixture(scope="module")
def chromium(app_needs) -> tuple[str, str]:
    """(chromium, chromedriver), or skip saying what is missing."""
    missing = []
    if importlib.util.find_spec("selenium") is None:
        missing.append("the Python package selenium (pip install -e '.[dev]')")
    browser = _program("chromium", "chromium-browser", "google-chrome")
    driver = _program("chromedriver")
    if browser is None:
        missing.append("Chromium (apt-get install chromium)")
    if driver is None:
        missing.append("chromedriver (apt-get install chromium-driver)")
    if missing:
        pytest.skip("the browser test needs " + ", ".join(missing))
    return browser, driver


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(chromium, tmp_path_factory):
    """The app served on a free port of 127.0.0.1; its log is shown if it fails to start."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1"]
    for option, value in STREAMLIT_OPTIONS.items():  # what `stlib app` passes
        command += [f"--{option}", value]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=REPOSITORY,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
            start_new_session=True,  # its own process group, ended as a whole below
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_SECONDS
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"Streamlit exited with {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                seconds = SERVER_START_SECONDS
                pytest.fail(f"Streamlit did not answer in {seconds} s:\n{log.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def browser(chromium):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = chromium
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument(f"--window-size={WIDE},{HEIGHT}")
    session = webdriver.Chrome(service=Service(driver), options=options)
    yield session
    session.quit()


def _wait(condition, seconds: float, what: str):
    """The first truthy value of ``condition()``; fails saying ``what`` did not happen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:  # the page re-renders: elements come and go
            value = None
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"{what} within {seconds} s")


def _result(browser):
    """(caption, img element) of the arbitrary network's pastiche, or None."""
    from selenium.webdriver.common.by import By

    for figure in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stImage"]'):
        if figure.text.startswith(RESULT):
            return figure.text, figure.find_element(By.CSS_SELECTOR, "img")
    return None


def _choose(browser, key: str, text: str, replace: bool = False) -> None:
    """Type into the select box of widget ``key`` and take the first match (as a person does)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    field = browser.find_element(By.CSS_SELECTOR, f".st-key-{key} input")
    field.click()
    if replace:
        field.send_keys(Keys.BACKSPACE)  # a multiselect's last chip goes
    field.send_keys(text)
    _wait(
        lambda: browser.find_elements(By.CSS_SELECTOR, '[role="option"]'),
        10,
        f"no option for {text!r}",
    )
    field.send_keys(Keys.ENTER, Keys.ESCAPE)


def _screenshot(browser, path, width: int) -> None:
    from selenium.webdriver.common.by import By

    browser.set_window_size(width, HEIGHT)
    time.sleep(0.5)  # the layout settles after the resize
    main = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMain"]')
    height = browser.execute_script("return arguments[0].scrollHeight", main)
    browser.set_window_size(width, max(HEIGHT, min(height + 60, 4000)))  # the whole page
    time.sleep(0.5)
    browser.save_screenshot(str(path))
    print(f"screenshot: {path}")


def test_the_arbitrary_pastiche_appears_in_chromium(server, browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    start = time.perf_counter()
    browser.get(server)
    _wait(lambda: _result(browser), PAGE_SECONDS, "no pastiche on the first visit")
    first_load = time.perf_counter() - start

    method = [
        label
        for label in browser.find_elements(By.CSS_SELECTOR, ".st-key-method label")
        if label.text.startswith("Arbitrary")
    ]
    method[0].click()
    _choose(browser, "content", "Yellow Labrador")
    _choose(browser, "style", "Great Wave", replace=True)
    chips = [
        chip.get_attribute("aria-label")
        for chip in browser.find_elements(By.CSS_SELECTOR, ".st-key-style [data-tag]")
    ]
    assert chips == ["The Great Wave off Kanagawa"]
    from stlib import data, images

    height, width = images.load(data.path("labrador"), 384).shape[1:3]
    caption, image = _wait(
        lambda: (found := _result(browser)) and f"{width}x{height} px" in found[0] and found,
        30,
        "no pastiche of the labrador",
    )
    spread = _wait(
        lambda: (value := browser.execute_script(PICTURE_SPREAD, image)) > 0 and value,
        10,
        "the pastiche did not load",
    )
    assert image.get_attribute("naturalWidth") == str(width)
    assert spread > 10, f"the pastiche looks blank (pixel spread {spread:.1f})"

    # One slider move: the picture follows without a button.
    slider = browser.find_element(By.CSS_SELECTOR, ".st-key-strength input[type=range]")
    browser.execute_script("arguments[0].focus()", slider)
    before = image.get_attribute("src")
    start = time.perf_counter()
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).perform()
    _wait(
        lambda: (found := _result(browser)) and found[1].get_attribute("src") != before,
        30,
        "the strength slider did not repaint",
    )
    slider_move = time.perf_counter() - start
    assert slider.get_attribute("value") == "0.95"
    print(f"first page load {first_load:.1f} s; one strength-slider move {slider_move:.2f} s")

    _screenshot(browser, tmp_path / "app-wide.png", WIDE)
    _screenshot(browser, tmp_path / "app-narrow.png", NARROW)
    main = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMain"]')
    overflow = browser.execute_script(
        "return arguments[0].scrollWidth - arguments[0].clientWidth", main
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow} px at {NARROW} px"
    caption, image = _result(browser)
    box = browser.execute_script("return arguments[0].getBoundingClientRect().right", image)
    assert box <= NARROW, "the pastiche sticks out of a narrow window"
