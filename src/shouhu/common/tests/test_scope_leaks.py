"""X1: no user of one county reaches another county's objects, whatever the endpoint.

Every URL pattern of the project is discovered. A pattern that takes an object id must name
it with a keyword that an app's `tests/scope_cases.py` knows how to make; an unknown keyword
fails this test until its app teaches it. Lists and exports are read for the other county's
marker text.
"""

import importlib
import io
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from shouhu.accounts.tests.factories import make_user

MARKER_A = "甲县检查"
MARKER_B = "乙县泄漏"

# Patterns that take no scoped object and are not lists of them.
NOT_LISTS = {
    "accounts:login",
    "accounts:logout",
    "accounts:password_change",
    "accounts:password_change_done",
    "set_language",
    "healthz",
    "schema",
    "api-docs",
    "api-redoc",
    "api-token",
    "orgs:tree_import",
    "orgs:tree_template",
    "campaigns:campaign_create",
    "campaigns:campaign_current",
    "api-service-availability",
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns == "admin":
                continue  # the admin is for region administrators only, tested separately
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern), entry


def discovered():
    return list(_walk(get_resolver().url_patterns))


def _registries():
    scoped, region_wide = {}, {}
    for app in settings.INSTALLED_APPS:
        if not app.startswith("shouhu."):
            continue
        try:
            module = importlib.import_module(f"{app}.tests.scope_cases")
        except ModuleNotFoundError:
            continue
        scoped.update(getattr(module, "SCOPED_OBJECTS", {}))
        region_wide.update(getattr(module, "REGION_WIDE", {}))
    return scoped, region_wide


def _keywords(route):
    return re.findall(r"<(?:\w+:)?(\w+)>", route)


def _url(route, values):
    def sub(match):
        return str(values[match.group(1)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", sub, route).lstrip("^").rstrip("$")


def _text_of(response):
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(
            str(c) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for c in row
        )
    return response.content.decode("utf-8", errors="replace")


def test_x1_every_object_url_keyword_is_known():
    scoped, region_wide = _registries()
    unknown = {
        (name, route, keyword)
        for name, route, _ in discovered()
        for keyword in _keywords(route)
        if keyword not in scoped and keyword not in region_wide
    }
    assert not unknown, f"这些 URL 的对象参数没有在 tests/scope_cases.py 中登记：{sorted(unknown)}"


@pytest.fixture
def user_a(tree):
    """The county-A clerk, made before the objects: some are addressed to people (alerts)."""
    return make_user("county_staff", tree.county_a)


@pytest.fixture
def two_counties(tree, plan_campaign, user_a):
    scoped, _ = _registries()
    objects_a = {keyword: maker(tree.county_a, MARKER_A) for keyword, maker in scoped.items()}
    objects_b = {keyword: maker(tree.county_b, MARKER_B) for keyword, maker in scoped.items()}
    return objects_a, objects_b


def _request(client, url):
    response = client.get(url)
    if response.status_code == 405:  # an action endpoint: try it as the action it is
        response = (
            client.post(url, {}, content_type="application/json") if "/api/" in url else client.post(url)
        )
    return response


def test_x1_other_countys_objects_answer_404(client, tree, two_counties, user_a):
    objects_a, objects_b = two_counties
    client.force_login(user_a)
    exercised = 0
    for name, route, _ in discovered():
        keywords = [k for k in _keywords(route) if k in objects_a]
        if not keywords or len(keywords) != len(_keywords(route)):
            continue
        own = _request(client, _url(route, {k: objects_a[k].pk for k in keywords}))
        assert own.status_code != 404, f"{name} 对本县对象也返回 404：无法验证"
        assert own.status_code < 500, f"{name} 服务器错误"
        other = _request(client, _url(route, {k: objects_b[k].pk for k in keywords}))
        assert other.status_code == 404, f"{name} 对他县对象返回 {other.status_code}"
        missing = _request(client, _url(route, dict.fromkeys(keywords, 987654321)))
        assert missing.status_code == 404
        assert missing.content == other.content, f"{name}：不存在和无权访问的回答不同"
        exercised += 1
    assert exercised >= 4


def test_x1_lists_and_exports_show_nothing_of_the_other_county(client, tree, two_counties, user_a):
    client.force_login(user_a)
    checked = 0
    for name, route, _ in discovered():
        if _keywords(route) or name in NOT_LISTS or name is None:
            continue
        url = _url(route, {})
        for variant in (url, f"{url}?export=xlsx", f"{url}?format=csv"):
            response = client.get(variant)
            if response.status_code != 200:
                continue
            text = _text_of(response)
            assert MARKER_B not in text, f"{variant} 泄露了他县的数据"
            assert "漠河市" not in text, f"{variant} 泄露了他县的单位"
            checked += 1
    assert checked >= 6


# --- A read-only role writes nothing ----------------------------------------------------------

WRITES = ("post", "put", "patch", "delete")

# Writes the leader (领导, read-only) may still make, none of them to the registers: their own
# session, password, language and alerts (X6: every role reads and acknowledges what it is
# told), and the public pages that anyone, signed in or not, may use.
OWN_OR_PUBLIC_WRITES = {
    "accounts:login": "登录只改变自己的会话",
    "accounts:logout": "退出只改变自己的会话",
    "accounts:password_change": "修改自己的密码",
    "set_language": "切换自己的界面语言",
    "api-token": "用自己的密码换取自己的接口令牌",
    "alerts:read_all": "自己的提醒：标记已读（X6）",
    "alerts:alert_read": "自己的提醒：标记已读（X6）",
    "alerts:alert_acknowledge": "自己的提醒：确认收到（X6）",
    "alerts:alert_open": "自己的提醒：打开即已读（X6）",
    "api-alert-read": "自己的提醒：标记已读（X6）",
    "api-alert-acknowledge": "自己的提醒：确认收到（X6）",
    "venue:declare": "公开的场所码申报页",
    "venue:receipt": "公开的申报回执页",
    "marriage:public_book": "公开的婚姻登记预约页",
    "marriage:public_slots": "公开的婚姻登记预约页",
    "marriage:public_verify": "公开的婚姻登记预约页",
    "marriage:public_done": "公开的婚姻登记预约页",
    "marriage:public_manage": "公开的婚姻登记预约页",
}

# Reads sent as POST because what they look for is an ID or phone number, which must not reach a
# URL (logs, history). The leader may read; the walk still checks that nothing is written.
POST_READS = {
    "people:person_find": "按证件号码或手机号查找人员",
    "api-person-search": "按证件号码或手机号查找人员",
    "api-screening-travel-check": "核对旅居史是否涉及中高风险地区",
}


def _region_wide_values(plan_campaign):
    """One real object for each keyword that names a region-wide one (tests/scope_cases.py)."""
    from shouhu.eldercare.models import ChecklistItem
    from shouhu.marriage.models import RecipientKind, ReportRecipient
    from shouhu.screening.tests.factories import risk_area

    return {
        "campaign_id": plan_campaign.pk,
        "phase_id": plan_campaign.phases.first().pk,
        "checklist_item_id": ChecklistItem.objects.create(label="领导检查事项").pk,
        "report_recipient_id": ReportRecipient.objects.create(kind=RecipientKind.COORDINATORS).pk,
        "risk_area_id": risk_area().pk,
        "kind": "people",
        "module": "marriage",
    }


def _write(client, method, url):
    if "/api/" in url:
        return client.generic(method.upper(), url, "{}", content_type="application/json")
    if method == "post":
        return client.post(url, {})
    return client.generic(method.upper(), url)


def _writes_in(queries):
    """The SQL statements that changed data, apart from the session's own table."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
        and "django_session" not in q["sql"]
    ]


def test_x1_a_read_only_role_is_refused_every_write(client, tree, plan_campaign, two_counties):
    objects_a, _ = two_counties
    values = {k: o.pk for k, o in objects_a.items()} | _region_wide_values(plan_campaign)
    leader = make_user("leader", tree.region)
    client.force_login(leader)
    unfilled, allowed, written, tried = set(), [], [], 0
    for name, route, _ in discovered():
        if name in OWN_OR_PUBLIC_WRITES:
            continue
        missing = [k for k in _keywords(route) if k not in values]
        if missing:
            unfilled.add((name, tuple(missing)))
            continue
        url = _url(route, values)
        # A GET first, as a browser would, so that what a write finds is the page as shown.
        client.get(url)
        for method in WRITES:
            with CaptureQueriesContext(connection) as queries:
                response = _write(client, method, url)
            tried += 1
            if _writes_in(queries.captured_queries):
                written.append(f"{method.upper()} {url} ({name})")
            read = method == "post" and name in POST_READS
            if response.status_code not in (403, 405) and not read:
                allowed.append(f"{method.upper()} {url} ({name}) → {response.status_code}")
    assert not unfilled, f"领导写操作检查无法填写这些 URL 参数：{sorted(unfilled)}"
    assert not allowed, "只读角色的写操作未被拒绝：\n" + "\n".join(allowed)
    assert not written, "只读角色的请求写入了数据：\n" + "\n".join(written)
    assert tried > 400
