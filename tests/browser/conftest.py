"""Browser journeys: Debian's Chromium driven by Playwright against the live test server.

No browser is downloaded: Playwright launches /usr/bin/chromium (installed by .ci/run). axe-core
(from the npm registry, vendored under static/axe/) is served by the test server itself, so the
pages keep their strict Content-Security-Policy while they are checked.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed")
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "zh-CN",
        "viewport": {"width": 1280, "height": 900},
        "accept_downloads": True,
    }


@pytest.fixture(scope="session", autouse=True)
def _allow_sync_db_beside_playwright():
    """Playwright's sync API runs an event loop in the test's thread, where the test also sets
    up (and the database teardown flushes) its data through the ORM: allow that while the
    browser tests run. Never set in deployment (tests/portal/test_deploy.py drops it)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _static_axe(settings):
    settings.STATICFILES_DIRS = [
        *settings.STATICFILES_DIRS,
        str(Path(__file__).resolve().parent / "static"),
    ]


class Watch:
    """Fails the journey on any console error or failed request."""

    def __init__(self, page) -> None:
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text} @ {message.location}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _failed(self, request) -> None:
        # A file served as an attachment ends its navigation as a download: Chromium reports
        # that as an aborted request, which is expected for the portal's download links.
        download = re.search(
            r"/(bundles/\d+/(pdf|zip)|evidence/\d+|application|acts/\d+/pdf|\d+/letter)/"
            r"|/queue/export\.(csv|xlsx)|/white-paper/(\d+/v)?\d+\.pdf$|/insight/reports/\d+\.pdf$",
            request.url,
        )
        # Chromium fetches the favicon last, at low priority, and cancels it when the page
        # navigates on (a quick keyboard sign-in): a cancellation, not an error. A favicon the
        # server fails to serve still shows up in _response.
        favicon = request.url.endswith("/favicon.svg")
        # Likewise a page's own script or stylesheet still loading when the journey moves on
        # (a quick click away): the next page cancels it. An asset the server fails to serve
        # still shows up in _response.
        asset = "/static/" in request.url
        if (download or favicon or asset) and "ERR_ABORTED" in (request.failure or ""):
            return
        self.problems.append(f"failed: {request.url} {request.failure}")

    def check(self) -> None:
        assert not self.problems, self.problems


def check_accessibility(page, name: str) -> None:
    """axe-core on the current page: no serious or critical violation. Saves a screenshot."""
    page.wait_for_load_state("load")  # a click that navigates may still be loading the page
    page.add_script_tag(url="/static/axe/axe.min.js")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, (name, serious)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def watch(page):
    w = Watch(page)
    yield w
    w.check()


@pytest.fixture
def world(db):
    """The Shanghai branch with its staff member and the centre with its mediator."""
    from tests.factories import (
        BranchFactory,
        OrganisationFactory,
        PartnerFactory,
        StaffFactory,
        enrol_totp,
    )

    branch = BranchFactory.create(code="SH01", name="上海浦东支行")
    staff = StaffFactory.create(username="staff", branch=branch)
    centre = OrganisationFactory.create(name="上海市金融消费纠纷调解中心")
    mediator = PartnerFactory.create(username="mediator", organisation=centre, real_name="刘洋")
    enrol_totp(staff)
    enrol_totp(mediator)
    return {"branch": branch, "staff": staff, "centre": centre, "mediator": mediator}
