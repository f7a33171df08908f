"""A headless chromium for the browser tests, driven by selenium through the system's chromedriver.

The tests use Debian's ``chromium`` and ``chromium-driver`` (``apt-get install chromium
chromium-driver``; CI installs them in ``.ci/run``). Where they are absent the tests skip with
the reason, unless ``NEUROMAP_REQUIRE_BROWSER=1`` (set by CI), which turns the skip into a
failure. Nothing is downloaded: the driver path is given, so selenium's manager is not used.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Where the screenshots of the browser tests go: a temporary folder, or with
#: ``NEUROMAP_UPDATE_SCREENSHOTS=1`` ``docs/img/`` (the docs show some of them), so that a test
#: run leaves the working tree as it was.
SCREENSHOTS = (Path(__file__).resolve().parents[1] / "docs" / "img" if os.environ.get("NEUROMAP_UPDATE_SCREENSHOTS")
               else Path(tempfile.gettempdir()) / "neuromap-screenshots")

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1400,1100")


def _find(env: str, *names: str) -> str | None:
    if os.environ.get(env):
        return os.environ[env]
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("NEUROMAP_REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"NEUROMAP_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


def require(module: str, reason: str) -> None:
    """Import *module* or skip with *reason* (a failure under NEUROMAP_REQUIRE_BROWSER=1)."""
    try:
        __import__(module)
    except ImportError:
        _unavailable(reason)


def chrome_driver() -> Iterator[object]:
    """Start headless chromium with a fresh profile; yield the selenium driver; quit it."""
    require("selenium", "the selenium package is not installed (pip install -e '.[test]')")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = _find("NEUROMAP_CHROMIUM", "chromium", "chromium-browser")
    driver_path = _find("NEUROMAP_CHROMEDRIVER", "chromedriver")
    if binary is None or driver_path is None:
        _unavailable("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    profile = tempfile.mkdtemp(prefix="neuromap-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver: object) -> list[dict]:
    """The browser console's entries of level SEVERE since the last call."""
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]  # type: ignore[attr-defined]
