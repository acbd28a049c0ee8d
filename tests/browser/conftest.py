"""Fixtures for real-browser tests: one headless Chromium for this package, offline contexts.

Package scope, not session: Playwright's sync API allows one running instance per thread,
so the browser is closed when tests/browser/ is done and other test files may start their own.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.browser import OfflineContext, launch


@pytest.fixture(scope="package")
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
