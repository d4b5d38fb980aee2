"""A browser test that fails keeps a full-page screenshot of every page it had open (pytest plugin).

Registered in ``setup.cfg`` (``addopts = -p tests.browser_failures``). The screenshots go to
``$EIS_FAILURE_SCREENSHOTS``, else ``build/failed-screenshots/`` in the repository (ignored by git);
the failure's report names the files. A test that passes costs nothing.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest


def _folder(config) -> Path:
    folder = os.environ.get("EIS_FAILURE_SCREENSHOTS")
    return Path(folder) if folder else config.rootpath / "build" / "failed-screenshots"


def _open_pages(page) -> list:
    """The test's page and those it opened in other contexts (another person in the journey)."""
    try:
        contexts = page.context.browser.contexts
    except Exception:  # the browser is gone: nothing to keep  # noqa: BLE001
        return []
    return [p for context in contexts for p in context.pages if not p.is_closed()]


def keep_failure_screenshots(item) -> list[str]:
    """Full-page PNGs of the pages of a failed test, named after the test: "path (address)" each."""
    page = item.funcargs.get("page")
    if page is None:
        return []
    folder = _folder(item.config)
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("/")[-1])[:150]
    kept = []
    for number, open_page in enumerate(_open_pages(page), start=1):
        path = folder / f"{stem}-{number}.png"
        try:
            open_page.screenshot(path=str(path), full_page=True, timeout=10_000)
        except Exception:  # a page that cannot be drawn must not hide the test's own failure  # noqa: BLE001
            continue
        kept.append(f"{path} ({open_page.url})")
    return kept


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed and "page" in getattr(item, "funcargs", {}):
        kept = keep_failure_screenshots(item)
        if kept:
            report.sections.append(("screenshots kept", "\n".join(kept)))
    return report
