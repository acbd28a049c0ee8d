"""Fixtures for real-browser tests: one headless Chromium per session, offline contexts."""
from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.browser import OfflineContext, launch


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def offline_context(browser):
    ctx = OfflineContext(browser)
    yield ctx
    ctx.close()
