"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Nothing here downloads a browser: Playwright launches /usr/bin/chromium. Without it the tests
are skipped with a visible reason, unless SHOUHU_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

import datetime as dt
import io
import os
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from shouhu.common import clock

# Playwright's sync API keeps an event loop running in the main thread; Django would otherwise
# refuse ORM calls made from fixtures and tests ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Inside phase 1 (游子归来护卫行动) of the plan campaign 2021-12-13..2022-05-21 seeded by load_demo.
FROZEN_AT = dt.datetime(2022, 1, 5, 10, 0)
BROWSER_DIR = Path(__file__).parent
HOLIDAY_MIGRATION = "shouhu.campaigns.migrations.0002_seed_holidays"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not CHROMIUM.exists():
        reason = f"Chromium 未安装：{CHROMIUM} 不存在（apt-get install chromium fonts-wqy-microhei）"
        if os.environ.get("SHOUHU_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}；SHOUHU_REQUIRE_BROWSER=1，浏览器测试不得跳过", pytrace=False)
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # Chinese UI (LocaleMiddleware reads Accept-Language) and the server's own zone.
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def frozen_clock() -> Iterator[dt.datetime]:
    """Fix "now" for the whole test: the live server thread reads the same module-level clock."""
    with clock.frozen(FROZEN_AT) as moment:
        yield moment


@pytest.fixture
def demo_site(frozen_clock: dt.datetime, transactional_db: None, live_server) -> str:
    """The demo region loaded into the test database; returns the live server's URL."""
    # Holidays come from a data migration, and the flush after every transactional test wipes
    # them. serialized_rollback cannot restore them here: Django keeps the snapshot on the
    # connection object made at database setup, but once Playwright's sync API runs, the main
    # thread has a running event loop, so Django's thread-critical connection storage switches
    # to a contextvar and tests get a new connection object without the snapshot (the deserialize
    # step is silently skipped). Run the migration's own seeding again (it skips existing dates).
    import_module(HOLIDAY_MIGRATION).seed_holidays(django_apps, None)
    call_command("load_demo", stdout=io.StringIO())
    return live_server.url


@pytest.fixture
def screenshot_dir(pytestconfig: pytest.Config) -> Path:
    # pytest-playwright's --output (default test-results/, gitignored), emptied at session start.
    path = Path(pytestconfig.getoption("--output")).absolute()
    path.mkdir(parents=True, exist_ok=True)
    return path
