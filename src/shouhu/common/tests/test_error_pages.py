"""Error pages: Chinese first, built for phones, and never an HTML page for the API."""

import logging
import re
import sys
from pathlib import Path

import pytest
from django.test import Client

from shouhu.accounts.tests.factories import PASSWORD
from shouhu.common import error_views

pytestmark = pytest.mark.django_db

PACKAGE_DIR = Path(__file__).resolve().parents[2]
DJANGO_ENGLISH = ("Not Found", "Forbidden", "Bad Request", "Server Error", "CSRF verification failed")


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def _assert_site_error_page(response, status: int, *texts: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    for text in texts:
        assert text in html
    for english in DJANGO_ENGLISH:
        assert english not in html
    assert "返回首页" in html
    assert 'href="/"' in html  # back to the home page
    return html


def test_x8_404_page_is_chinese(client, county_user):
    anonymous = client.get("/no-such-page/")
    _assert_site_error_page(anonymous, 404, "找不到该页面", "您访问的页面不存在")
    client.force_login(county_user)
    _assert_site_error_page(client.get("/orgs/987654321/"), 404, "找不到该页面")


def test_x8_404_page_follows_the_chosen_language(client, county_user):
    client.force_login(county_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/no-such-page/").content.decode()
    assert '<html lang="en">' in html


def test_x8_403_page_is_chinese(client, region_admin):
    client.force_login(region_admin)  # the region's admin does not register funeral cases
    response = client.get("/funerals/cases/new/")
    _assert_site_error_page(response, 403, "没有权限", "联系本单位或上级单位的系统管理员")


def test_x8_400_page_is_chinese(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get("/", HTTP_HOST="evil.example")
    _assert_site_error_page(response, 400, "请求无效")


def test_x8_csrf_failure_is_chinese_without_the_debug_hint(county_user):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": county_user.username, "password": PASSWORD})
    html = _assert_site_error_page(response, 403, "页面已过期或表单来源无法验证，请刷新页面后重试")
    assert "DEBUG" not in html
    assert "_auth_user_id" not in browser.session  # and nobody was logged in


def test_x8_500_page_is_chinese_and_needs_no_database(rf, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = error_views.server_error(rf.get("/people/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "系统出错" in html
    assert "返回首页" in html
    assert "Server Error" not in html


def test_x8_api_404_stays_json(client, county_user):
    unknown = client.get("/api/v1/no-such-endpoint/")
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/json"
    assert unknown.json() == {"error": {"code": "not_found", "message": "未找到该记录", "fields": {}}}
    client.force_login(county_user)
    missing = client.get("/api/v1/units/987654321/")  # answered by DRF's own handler
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert missing.json() == {"error": {"code": "not_found", "message": "未找到该记录", "fields": {}}}
    assert client.get("/api/v1/no-such-endpoint/").json()["error"]["code"] == "not_found"


def test_x8_api_errors_outside_drf_answer_json(rf):
    request = rf.get("/api/v1/units/")
    server = error_views.server_error(request)
    assert server.status_code == 500
    assert server["Content-Type"] == "application/json"
    assert "服务器内部错误" in server.content.decode()  # UTF-8, not \u escapes
    assert error_views.permission_denied(request, Exception()).status_code == 403
    assert error_views.bad_request(request, Exception()).status_code == 400
    csrf = error_views.csrf_failure(rf.post("/api/v1/units/"), reason="CSRF token missing.")
    assert csrf.status_code == 403
    assert csrf["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "get_page",
    [lambda c: c.get("/no-such-page/"), lambda c: c.get("/funerals/cases/new/")],
    ids=["404", "403"],
)
def test_x9_error_pages_are_built_for_phones(client, region_admin, get_page):
    client.force_login(region_admin)
    html = get_page(client).content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "bootstrap.min.css" in html


def test_x9_500_page_is_built_for_phones(rf):
    html = error_views.server_error(rf.get("/")).content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "max-width" in html


def _templates() -> list[Path]:
    return sorted(p for p in PACKAGE_DIR.glob("**/templates/**/*.html") if ".venv" not in p.parts)


def test_x9_every_table_scrolls_in_its_own_box():
    """A long cell scrolls its table on a phone instead of widening the whole page."""
    unwrapped = []
    for path in _templates():
        text = path.read_text()
        for match in re.finditer(r"<table\b", text):
            before = text[: match.start()]
            opening = before.rfind("<div")
            if opening == -1 or "table-responsive" not in before[opening:] or "</div>" in before[opening:]:
                unwrapped.append(f"{path.relative_to(PACKAGE_DIR)}:{before.count(chr(10)) + 1}")
    assert not unwrapped, unwrapped


def test_x9_sub_navigation_tabs_do_not_break_inside_a_label():
    nav = (PACKAGE_DIR / "marriage/templates/marriage/_nav.html").read_text()
    assert "flex-nowrap" in nav
    assert nav.count('class="nav-link') == nav.count("text-nowrap")


def test_x8_templates_take_dates_in_the_active_language():
    """A date spelled "Y年n月j日" in a template stays Chinese in the English interface."""
    chinese_formats = []
    for path in _templates():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(r"""\|(date|time):["'][^"']*[年月日时分]""", line):
                chinese_formats.append(f"{path.relative_to(PACKAGE_DIR)}:{number}")
    assert not chinese_formats, chinese_formats


def test_x8_a_refused_page_is_logged_in_one_line_without_a_traceback(client, region_admin, caplog):
    client.force_login(region_admin)  # the region's admin does not register funeral cases
    with caplog.at_level("WARNING", logger="django.request"):
        assert client.get("/funerals/cases/new/").status_code == 403
    records = [r for r in caplog.records if r.name == "django.request" and r.levelname == "WARNING"]
    assert len(records) == 1
    assert (
        records[0].getMessage()
        == f"Forbidden (Permission denied): /funerals/cases/new/ user={region_admin.pk}"
    )
    assert records[0].exc_info is None
    assert "Traceback" not in caplog.text
    assert "PermissionDenied" not in caplog.text


def test_x8_other_request_errors_keep_their_traceback(client, settings, caplog):
    from shouhu.common import log_filters

    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x",), None
    )
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    record.status_code = 500
    assert log_filters.PermissionDeniedOneLine().filter(record)
    assert record.exc_info is not None
    assert record.getMessage() == "Internal Server Error: /x"


def test_x8_every_page_names_the_sites_icon_so_browsers_ask_for_no_favicon_ico(client):
    from django.contrib.staticfiles import finders

    assert finders.find("shouhu/favicon.svg")
    assert 'rel="icon" href="/static/shouhu/favicon.svg"' in client.get("/accounts/login/").content.decode()
    assert 'rel="icon" href="/static/shouhu/favicon.svg"' in client.get("/no-such-page/").content.decode()
