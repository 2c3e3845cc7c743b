"""Healthz, the API's one error shape, audit, login, language and layout."""

import pytest
from django.db.utils import OperationalError

from shouhu.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "personal_data_keys": "ok", "worker": "none"}


def test_healthz_answers_503_without_the_database(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_x7_errors_share_one_body_with_a_chinese_message(client, county_user, tree):
    anonymous = client.get("/api/v1/units/")
    assert anonymous.status_code in (401, 403)
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    assert anonymous.json()["error"]["message"] == "请先登录"
    client.force_login(county_user)
    missing = client.get("/api/v1/units/987654/")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "未找到该记录", "fields": {}}}
    invalid = client.get("/api/v1/units/", {"kind": "planet"})
    assert invalid.status_code == 400
    assert invalid.json()["error"]["code"] == "invalid"
    assert "kind" in invalid.json()["error"]["fields"]


def test_x7_schema_and_docs_are_served_without_network(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/units/" in paths
    assert "/api/v1/suspensions/" in paths
    for page in ("/api/docs/", "/api/redoc/"):
        html = client.get(page).content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        assert "cdn." not in html
        assert "unpkg" not in html
        assert "jsdelivr" not in html


def test_x7_token_auth(client, county_user):
    token = client.post("/api/v1/auth/token/", {"username": county_user.username, "password": PASSWORD})
    assert token.status_code == 200
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert me.status_code == 200
    assert me.json()["unit_name"] == "加格达奇区"


def test_x3_audit_records_actor_ip_before_and_after(client, county_user, tree):
    from auditlog.models import LogEntry

    client.force_login(county_user)
    response = client.patch(
        f"/api/v1/units/{tree.township_a.pk}/",
        {"address": "加格达奇区东山路"},
        content_type="application/json",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 200
    entry = LogEntry.objects.get_for_object(tree.township_a).order_by("-timestamp").first()
    assert entry.actor == county_user
    assert entry.remote_addr == "10.1.2.3"
    assert entry.changes_dict["address"] == ["", "加格达奇区东山路"]
    page = client.get(f"/orgs/{tree.township_a.pk}/history/").content.decode()
    assert "加格达奇区东山路" in page
    assert "10.1.2.3" in page


def test_x3_token_api_writes_are_audited_with_the_token_user(client, county_user, tree):
    from auditlog.models import LogEntry
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=county_user)
    client.patch(
        f"/api/v1/units/{tree.township_a.pk}/",
        {"contact_person": "王主任"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    entry = LogEntry.objects.get_for_object(tree.township_a).order_by("-timestamp").first()
    assert entry.actor == county_user


def test_x1_login_is_throttled_after_repeated_failures(client, county_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        failed = client.post("/accounts/login/", {"username": county_user.username, "password": "wrong"})
        assert failed.status_code == 200
    locked = client.post("/accounts/login/", {"username": county_user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_x1_login_logout_and_password_change(client, county_user):
    response = client.post("/accounts/login/", {"username": county_user.username, "password": PASSWORD})
    assert response.status_code == 302
    changed = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Xing-an-ling-2022",
            "new_password2": "Xing-an-ling-2022",
        },
    )
    assert changed.status_code == 302
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
    assert client.login(username=county_user.username, password="Xing-an-ling-2022")


def test_x1_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_x1_navigation_shows_only_what_the_role_may_use(client, tree, region_admin, county_user):
    client.force_login(county_user)
    county_page = client.get("/").content.decode()
    assert "组织机构" in county_page
    assert "系统管理" not in county_page
    assert client.get("/admin/").status_code == 302
    client.force_login(region_admin)
    admin_page = client.get("/").content.decode()
    assert "系统管理" in admin_page


def test_x8_chinese_by_default_english_on_request(client, county_user, plan_campaign):
    client.force_login(county_user)
    chinese = client.get("/campaigns/calendar/")
    assert '<html lang="zh-hans">' in chinese.content.decode()
    assert "行动日历" in chinese.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/campaigns/calendar/"})
    english = client.get("/campaigns/calendar/").content.decode()
    assert '<html lang="en">' in english
    assert "Campaign calendar" in english
    assert "Current phase" in english


def test_x8_each_language_is_offered_in_its_own_name(client, county_user):
    client.force_login(county_user)
    chinese = client.get("/").content.decode()
    assert 'lang="en" class="btn btn-sm btn-link ">English</button>' in chinese  # not "英语"
    assert "英语" not in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert 'lang="zh-hans" class="btn btn-sm btn-link ">简体中文</button>' in english
    assert "Simplified Chinese" not in english


def test_x8_time_zone_is_asia_shanghai(settings):
    from shouhu.common import clock

    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert clock.today().isoformat() == "2022-01-05"


def test_x9_pages_are_built_for_phones(client, county_user):
    client.force_login(county_user)
    html = client.get("/orgs/").content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "navbar-toggler" in html
    assert "table-responsive" in html


def test_x1_login_lockout_counts_clients_behind_the_proxy(client, county_user, region_admin, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.SHOUHU_BEHIND_PROXY = True
    for _ in range(2):
        client.post(
            "/accounts/login/",
            {"username": county_user.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    other_client = client.post(
        "/accounts/login/",
        {"username": region_admin.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert other_client.status_code == 302  # another client behind the same proxy is not locked out


def test_x1_lockout_lasts_the_configured_window(client, county_user, settings, fixed_clock):
    import datetime as dt

    from shouhu.common import clock

    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 900
    for _ in range(2):
        client.post("/accounts/login/", {"username": county_user.username, "password": "wrong"})
    right = {"username": county_user.username, "password": PASSWORD}
    with clock.frozen(fixed_clock + dt.timedelta(seconds=899)):
        assert client.post("/accounts/login/", right).status_code == 429
    with clock.frozen(fixed_clock + dt.timedelta(seconds=900)):
        assert client.post("/accounts/login/", right).status_code == 302


def test_x7_huge_ids_are_404_or_400_never_500(client, county_user, tree):
    client.force_login(county_user)
    assert client.get(f"/api/v1/units/{2**70}/").status_code == 404
    assert client.get(f"/orgs/{2**70}/").status_code == 404
    response = client.get("/api/v1/suspensions/", {"unit": str(2**70)})
    assert response.status_code == 400


def test_x7_schema_documents_the_error_body_on_every_operation(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "Error" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            error = operation["responses"].get("404") or operation["responses"].get("400")
            assert error, f"{method.upper()} {path} 未说明错误响应"
            assert error["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_x7_a_number_too_large_for_the_database_is_a_400(client, county_user, monkeypatch):
    def overflowing(**kwargs):
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr("shouhu.orgs.api.selectors.unit_list", overflowing)
    client.force_login(county_user)
    response = client.get("/api/v1/units/")
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "out_of_range", "message": "数值超出范围", "fields": {}}


def test_x7_schema_generates_without_warnings(tmp_path):
    """A name clash between two apps' serializers or enums silently gives one the other's shape."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    components = (tmp_path / "schema.yaml").read_text()
    assert "    VaccinationReportOutput:" in components


def test_x3_audit_batch_inserts_every_entry_once_and_nothing_on_error(tree, django_assert_num_queries):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from shouhu.common.audit import audit_batch, audit_bulk
    from shouhu.notifications.models import OutboxMessage

    def message(phone: str) -> OutboxMessage:
        return OutboxMessage.objects.create(unit=tree.county_a, kind="test", phone=phone, body="测试")

    with auditlog_disabled():
        first, second = message("13900000001"), message("13900000002")
    ContentType.objects.get_for_model(OutboxMessage)  # cached from here on, as in a running server
    with django_assert_num_queries(1), audit_batch():
        audit_bulk(actor=None, created=[first])
        audit_bulk(actor=None, created=[second])
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(OutboxMessage),
        object_pk__in=[str(first.pk), str(second.pk)],
    )
    assert entries.count() == 2
    assert {e.action for e in entries} == {LogEntry.Action.CREATE}

    def failing_block() -> None:
        with audit_batch():
            audit_bulk(actor=None, created=[first])
            raise RuntimeError("the block failed")

    with pytest.raises(RuntimeError):
        failing_block()
    assert entries.count() == 2


def test_x3_a_batch_keeps_each_entrys_own_values_beside_the_shared_ones(tree, county_user):
    # Values the same in every row go to the database once; the others row by row.
    from auditlog.models import LogEntry

    from shouhu.common.audit import acting_as, audit_batch, audit_bulk, audit_record
    from shouhu.notifications.models import OutboxMessage

    with auditlog_disabled():
        texts = [
            OutboxMessage.objects.create(unit=tree.county_a, kind="test", phone=f"1390000000{n}", body="测试")
            for n in range(3)
        ]
    with acting_as(county_user), audit_batch():
        audit_bulk(actor=None, created=texts[:2])
        audit_bulk(actor=county_user, created=texts[2:])
        audit_record(
            actor=county_user, obj=tree.county_a, action=2, changes={"x": ["1", "2"]}, object_repr="县"
        )
    entries = {e.object_pk: e for e in LogEntry.objects.filter(content_type__model="outboxmessage")}
    assert [entries[str(t.pk)].actor_id for t in texts] == [None, None, county_user.pk]
    assert {entries[str(t.pk)].action for t in texts} == {LogEntry.Action.CREATE}
    assert all(entries[str(t.pk)].changes_dict["id"] == ["None", str(t.pk)] for t in texts)
    (unit_entry,) = LogEntry.objects.filter(content_type__model="orgunit", action=2)
    assert (unit_entry.object_repr, unit_entry.actor_id, unit_entry.changes_dict) == (
        "县",
        county_user.pk,
        {"x": ["1", "2"]},
    )


@pytest.mark.parametrize(("flag", "prepared"), [("1", True), ("0", False)])
def test_x7_prepared_statements_keep_the_database_urls_own_options(flag, prepared):
    import json
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DATABASE_URL": "postgres://u:p@db.example.org:5432/shouhu?sslmode=verify-full&connect_timeout=5",
        "DATABASE_PREPARED_STATEMENTS": flag,
    }
    script = (
        "import json; from shouhu.config.settings import base; "
        "print(json.dumps(base.DATABASES['default']['OPTIONS']))"
    )
    shown = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    options = json.loads(shown.stdout)
    assert options["sslmode"] == "verify-full"
    assert str(options["connect_timeout"]) == "5"
    assert (options.get("prepare_threshold") == 5) is prepared
    assert (options.get("server_side_binding") is True) is prepared


def auditlog_disabled():
    from auditlog.context import disable_auditlog

    return disable_auditlog()
