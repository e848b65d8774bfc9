"""Browser tests: Python Playwright driving Debian's Chromium (Playwright's own browser
download is not used), against the live test server, with axe-core on every page."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from ..conftest import World, build_world

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "Browser tests need Debian's Chromium (apt-get install chromium); "
            ".ci/run installs it. Set CHROMIUM to use another binary."
        )
    return path


# Per module, not per session: Playwright's event loop must stop before other tests use the ORM.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread for as long as it is open; the
    # ORM calls the tests make themselves are still synchronous and safe. Allowed exactly that
    # long, never for other tests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _launch() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_world(transactional_db: None) -> World:
    return build_world()


@pytest.fixture
def page(browser: Browser, live_server, request) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="en-CA")
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch_console(page)
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    errors = list(page.console_errors)
    context.close()
    # Every page a browser test visits keeps a clean console, not only those it checks.
    assert errors == [], f"console errors: {errors}"


def watch_console(page: Page) -> Page:
    """Collect what the page logs: CSP violations and any other console error or uncaught
    exception (see assert_accessible and the `page` fixture)."""
    page.csp_violations = []
    page.console_errors = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            page.csp_violations.append(message.text)
        elif message.type == "error" and not _expected_refusal(message):
            page.console_errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.console_errors.append(f"uncaught: {error}"))
    return page


def _expected_refusal(message: ConsoleMessage) -> bool:
    """The browser logs every 4xx answer as "Failed to load resource". A refused form comes
    back as 400 with its errors by design (htmx swaps it in), and a test may open a page it
    must not reach (403/404): those are the portal working, not a script failing. Anything
    else logged as an error — a script error, a blocked style, a 500 — fails the test."""
    return bool(
        re.match(
            r"Failed to load resource: the server responded with a status of 4\d\d", message.text
        )
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


def assert_accessible(page: Page) -> None:
    """axe-core finds no WCAG 2.1 A/AA (or best-practice) violation on the page as shown."""
    assert not page.title().startswith("Something went wrong"), f"server error at {page.url}"
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
    assert page.csp_violations == [], page.csp_violations
    assert page.console_errors == [], page.console_errors
    # axe 4 no longer reports duplicate ids, yet they break labels and aria references.
    duplicates = page.evaluate(
        "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
        " return ids.filter((id, i) => ids.indexOf(id) !== i); }"
    )
    assert duplicates == [], f"duplicate ids on {page.url}: {duplicates}"


def log_in(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
