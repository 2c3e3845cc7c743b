"""X2 / 个人信息保护法: ID and phone numbers encrypted at rest, masked on every screen and export,
each unmasked look logged with its reason, and a wrong key failing loudly."""

import io
import logging

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from shouhu.accounts.tests.factories import make_user
from shouhu.common import crypto
from shouhu.common.crypto import DecryptionFailed, PersonalDataKeyError
from shouhu.people.idcard import check_digit
from shouhu.people.masking import mask_id_number
from shouhu.people.models import Category, Person, PersonalDataReveal, RevealedField
from shouhu.people.services import PersonInput, person_register

pytestmark = pytest.mark.django_db


def make_id(birth: str = "19900307", sequence: str = "123", area: str = "232718") -> str:
    first17 = f"{area}{birth}{sequence}"
    return first17 + check_digit(first17)


ID_NUMBER = make_id()  # 232718199003071232
PHONE = "13812345678"


def register(actor, unit, name="张三", **fields) -> Person:
    return person_register(actor=actor, data=PersonInput(name=name, home_unit=unit, **fields)).person


@pytest.fixture
def person(tree, county_user):
    return register(
        county_user,
        tree.village_a,
        name="张三",
        id_number=ID_NUMBER,
        phone=PHONE,
        categories=[Category.DIBAO],
    )


@pytest.fixture
def field_keys():
    """Swap the Fernet keys for one test; the test settings' keys are back afterwards."""
    original = settings.SHOUHU_FIELD_KEYS

    def use(keys: list[str]) -> None:
        settings.SHOUHU_FIELD_KEYS = keys
        crypto.reset_key_cache()

    try:
        yield use
    finally:
        settings.SHOUHU_FIELD_KEYS = original
        crypto.reset_key_cache()


# --- Encryption at rest ----------------------------------------------------------------------


def _dump(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608  a table name from introspection
        rows = cursor.fetchall()
    cells = []
    for row in rows:
        for value in row:
            if isinstance(value, memoryview | bytes | bytearray):
                cells.append(bytes(value).decode("latin-1"))
            else:
                cells.append(str(value))
    return cells


def _whole_database() -> dict[str, str]:
    return {table: "\x1f".join(_dump(table)) for table in connection.introspection.table_names()}


def test_x2_numbers_are_never_in_the_database_or_the_logs_in_plaintext(
    client, caplog, tree, county_user, region_admin
):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    # The last one ends in X: the standard's own example.
    ids = [make_id(sequence="123"), make_id(sequence="246"), make_id(birth="19511130", sequence="059")]
    ids.append("11010519491231002X")
    phones = ["13812345678", "13987654321", "15004571234", "18645678901"]
    new_phone = "17712340000"
    secrets = [*ids, *phones, new_phone]

    with CaptureQueriesContext(connection) as queries:  # also logs every SQL statement at DEBUG
        # 1. Through the service.
        by_service = register(
            county_user,
            tree.village_a,
            name="服务登记",
            id_number=ids[0],
            phone=phones[0],
            categories=["dibao"],
        )
        # 2. Through the API.
        client.force_login(county_user)
        api = client.post(
            "/api/v1/people/",
            {
                "name": "接口登记",
                "id_number": ids[1],
                "phone": phones[1],
                "home_unit": tree.village_a.pk,
                "categories": ["tekun"],
            },
            content_type="application/json",
        )
        assert api.status_code == 201
        # A refused API call repeats nothing of what was typed into the logs either.
        refused = client.post(
            "/api/v1/people/",
            {"name": "接口登记", "id_number": ids[1], "phone": phones[1], "home_unit": tree.village_b.pk},
            content_type="application/json",
        )
        assert refused.status_code == 404
        # 3. Through the page (phone typed with spaces, ID with a lowercase x).
        page = client.post(
            "/people/new/",
            {
                "name": "页面登记",
                "id_type": "resident_id",
                "id_number": ids[3].lower(),
                "gender": "",
                "birth_date": "",
                "phone": f"{phones[3][:3]} {phones[3][3:7]} {phones[3][7:]}",
                "address": "加格达奇区东山街道",
                "household_registration": "",
                "home_unit": tree.nursing_home_a.pk,
                "categories": ["nursing_home_resident", "dibao"],
            },
        )
        assert page.status_code == 302, page.context["form"].errors if page.context else page
        by_page = Person.objects.get(name="页面登记")
        # 4. An edit that changes the phone: the audit entry has a before and an after.
        edit = client.post(
            f"/people/{by_page.pk}/edit/",
            {
                "name": "页面登记",
                "id_type": "resident_id",
                "id_number": "",
                "phone": new_phone,
                "home_unit": tree.nursing_home_a.pk,
                "categories": ["nursing_home_resident"],
            },
        )
        assert edit.status_code == 302
        # 5. A fourth person through the service in the other county, then searches and a reveal.
        register(region_admin, tree.village_b, name="另县人员", id_number=ids[2], phone=phones[2])
        assert "服务登记" in client.post("/people/find/", {"id_number": ids[0]}, follow=True).content.decode()
        by_phone = client.post(
            "/api/v1/people/search/", {"phone": phones[1]}, content_type="application/json"
        )
        assert by_phone.json()["count"] == 1
        revealed = client.post(
            f"/people/{by_service.pk}/reveal/", {"field": "id_number", "reason": "核对低保资格"}
        ).content.decode()
        assert ids[0] in revealed  # the right plaintext was used: the checks below are not vacuous
        client.force_login(region_admin)
        export = client.post("/people/export-unmasked/", {"reason": "报送上级核对"})
        assert export.status_code == 200

    by_page.refresh_from_db()
    assert by_page.id_number == ids[3]
    assert by_page.phone == new_phone
    assert Person.objects.count() == 4

    # The person table holds ciphertext that decrypts to the numbers.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_person ORDER BY id")
        stored = cursor.fetchall()
    assert len(stored) == 4
    for id_token, phone_token in stored:
        assert crypto.decrypt(id_token) in ids
        assert crypto.decrypt(phone_token) in [*phones, new_phone]
    person_table = "\x1f".join(_dump("people_person"))

    # The audit log has entries for these people, with masked numbers.
    tables = _whole_database()
    assert "auditlog_logentry" in tables
    assert "232718********" in tables["auditlog_logentry"]
    assert "177****0000" in tables["auditlog_logentry"]

    for secret in secrets:
        assert secret not in person_table
        leaks = [table for table, text in tables.items() if secret in text]
        assert leaks == [], f"{secret} stored in plaintext in {leaks}"
        logged = [record.getMessage() for record in caplog.records if secret in record.getMessage()]
        assert logged == [], f"{secret} logged in plaintext"
        assert secret not in caplog.text
        sent = [q["sql"] for q in queries.captured_queries if secret in q["sql"]]
        assert sent == [], f"{secret} sent to the database in plaintext"
    assert any("people_person" in q["sql"] for q in queries.captured_queries)
    assert any(record.name == "django.db.backends" for record in caplog.records)


def test_x2_unmasked_export_of_a_search_does_not_store_the_searched_numbers(client, region_admin, person):
    client.force_login(region_admin)
    response = client.post(
        f"/people/export-unmasked/?id_number={ID_NUMBER}&phone={PHONE}", {"reason": "核对"}
    )
    assert response.status_code == 200
    reveal = PersonalDataReveal.objects.get(field=RevealedField.EXPORT)
    assert ID_NUMBER not in reveal.detail
    assert PHONE not in reveal.detail
    page = client.get("/people/reveals/").content.decode()
    assert ID_NUMBER not in page
    assert PHONE not in page


# --- Keys ------------------------------------------------------------------------------------


def test_x2_wrong_key_fails_loudly_and_never_returns_ciphertext(client, field_keys, person, county_user):
    field_keys([Fernet.generate_key().decode()])
    with pytest.raises(DecryptionFailed):
        Person.objects.get(pk=person.pk)
    with pytest.raises(DecryptionFailed):
        list(Person.objects.values_list("phone", flat=True))
    client.force_login(county_user)
    with pytest.raises(DecryptionFailed):
        client.get("/people/")
    # The name is not encrypted and still reads: only the protected numbers refuse.
    assert list(Person.objects.values_list("name", flat=True)) == ["张三"]


def test_x2_missing_keys_are_a_configuration_error(field_keys, tree, county_user, person):
    field_keys([])
    with pytest.raises(PersonalDataKeyError):
        Person.objects.get(pk=person.pk)
    with pytest.raises(PersonalDataKeyError):
        register(county_user, tree.village_a, name="李四", phone="13987654321")
    field_keys(["not-a-fernet-key"])
    with pytest.raises(PersonalDataKeyError, match="无效的密钥"):
        Person.objects.get(pk=person.pk)


def test_x2_missing_blind_index_key_is_a_configuration_error(settings):
    original = settings.SHOUHU_BLIND_INDEX_KEY
    settings.SHOUHU_BLIND_INDEX_KEY = ""
    crypto.reset_key_cache()
    try:
        with pytest.raises(PersonalDataKeyError):
            crypto.blind_index("phone", PHONE)
    finally:
        settings.SHOUHU_BLIND_INDEX_KEY = original
        crypto.reset_key_cache()
    assert crypto.blind_index("phone", PHONE)


def test_x2_key_rotation_reencrypts_under_the_new_key(field_keys):
    old = settings.SHOUHU_FIELD_KEYS[0]
    new = Fernet.generate_key().decode()
    token = crypto.encrypt(ID_NUMBER)

    field_keys([new, old])
    assert crypto.decrypt(token) == ID_NUMBER  # old data still reads during the rotation
    rotated = crypto.rotate(token)
    assert rotated != token
    assert crypto.decrypt(rotated) == ID_NUMBER

    field_keys([old])
    with pytest.raises(DecryptionFailed):
        crypto.decrypt(rotated)
    field_keys([new])
    assert crypto.decrypt(rotated) == ID_NUMBER
    with pytest.raises(DecryptionFailed):
        crypto.decrypt(token)
    with pytest.raises(DecryptionFailed):
        crypto.rotate("not a token")


def test_x2_key_rotation_of_stored_rows(field_keys, person):
    old = settings.SHOUHU_FIELD_KEYS[0]
    new = Fernet.generate_key().decode()
    field_keys([new, old])
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number, phone FROM people_person")
        for pk, id_token, phone_token in cursor.fetchall():
            cursor.execute(
                "UPDATE people_person SET id_number = %s, phone = %s WHERE id = %s",
                [crypto.rotate(id_token), crypto.rotate(phone_token), pk],
            )
    field_keys([new])
    reread = Person.objects.get(pk=person.pk)
    assert (reread.id_number, reread.phone) == (ID_NUMBER, PHONE)
    field_keys([old])
    with pytest.raises(DecryptionFailed):
        Person.objects.get(pk=person.pk)


def test_x2_new_writes_use_the_first_key(field_keys, tree, county_user):
    old = settings.SHOUHU_FIELD_KEYS[0]
    new = Fernet.generate_key().decode()
    field_keys([new, old])
    written = register(county_user, tree.village_a, name="李四", phone="13987654321")
    field_keys([new])
    assert Person.objects.get(pk=written.pk).phone == "13987654321"


# --- Masked on every screen --------------------------------------------------------------------

ID_MASK = "232718********1232"
PHONE_MASK = "138****5678"


def test_x2_masks_look_like_this():
    assert ID_NUMBER == "232718199003071232"
    assert Person(id_number=ID_NUMBER, phone=PHONE).id_number_masked == ID_MASK
    assert Person(id_number=ID_NUMBER, phone=PHONE).phone_masked == PHONE_MASK
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_x2_list_and_detail_pages_show_only_masked_numbers(client, county_user, person):
    client.force_login(county_user)
    for url in ("/people/", f"/people/{person.pk}/", f"/people/{person.pk}/edit/"):
        page = client.get(url).content.decode()
        assert ID_MASK in page, url
        assert PHONE_MASK in page, url
        assert ID_NUMBER not in page, url
        assert PHONE not in page, url
        assert "19900307" not in page, url  # the birth date part of the number is masked too


def test_x2_api_shows_only_masked_numbers(client, county_user, person):
    client.force_login(county_user)
    listed = client.get("/api/v1/people/").json()["results"]
    assert [(p["id_number"], p["phone"]) for p in listed] == [(ID_MASK, PHONE_MASK)]
    detail = client.get(f"/api/v1/people/{person.pk}/")
    assert (detail.json()["id_number"], detail.json()["phone"]) == (ID_MASK, PHONE_MASK)
    for response in (client.get("/api/v1/people/"), detail):
        assert ID_NUMBER not in response.content.decode()
        assert PHONE not in response.content.decode()


def _sheet_rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_x2_xlsx_export_is_masked(client, county_user, person):
    client.force_login(county_user)
    header, *rows = _sheet_rows(client.get("/people/", {"export": "xlsx"}))
    assert [(row[0], row[1], row[3], row[4], row[5], row[6], row[7]) for row in rows] == [
        ("张三", "男", "居民身份证", ID_MASK, PHONE_MASK, "东山第一社区", "低保对象")
    ]
    cells = " ".join(str(cell) for row in rows for cell in row)
    assert ID_NUMBER not in cells
    assert PHONE not in cells
    assert header[4:6] == ("证件号码", "手机号")


@pytest.mark.parametrize("number", ["E12345678", "H1234567890", "8123456789"])
def test_x2_short_document_numbers_are_masked_too(number):
    masked = mask_id_number(number)
    assert len(masked) == len(number)
    assert masked.count("*") >= len(number) // 2


def test_x2_search_by_exact_id_number_and_phone(client, tree, county_user, person):
    register(county_user, tree.village_a, name="李四", id_number=make_id(sequence="246"), phone="13987654321")
    client.force_login(county_user)

    def names(params, url="/people/"):
        if url.startswith("/api/"):
            response = client.post("/api/v1/people/search/", params, content_type="application/json")
            return [p["name"] for p in response.json()["results"]]
        response = client.post("/people/find/", params, follow=True)
        assert "id_number" not in response.redirect_chain[-1][0]
        return [p.name for p in response.context["page"]]

    assert names({"id_number": ID_NUMBER}) == ["张三"]
    assert names({"id_number": f" {ID_NUMBER[:6]} {ID_NUMBER[6:]} "}) == ["张三"]
    assert names({"phone": "138 1234 5678"}) == ["张三"]
    assert names({"id_number": ID_NUMBER[:10]}) == []  # exact numbers only: no prefix search
    assert names({"phone": "12345"}) == []
    assert names({"phone": PHONE}, "/api/v1/people/") == ["张三"]
    assert names({"id_number": ID_NUMBER}, "/api/v1/people/") == ["张三"]
    assert names({"phone": "13987654321"}, "/api/v1/people/") == ["李四"]
    assert names({"id_number": make_id(sequence="999")}, "/api/v1/people/") == []


def test_x2_search_with_lowercase_x(client, tree, county_user):
    register(county_user, tree.village_a, name="王芳", id_number="11010519491231002X")
    client.force_login(county_user)
    found = client.post("/people/find/", {"id_number": "11010519491231002x"}, follow=True)
    assert [p.name for p in found.context["page"]] == ["王芳"]


def test_x2_search_does_not_cross_counties(client, tree, other_county_user, person):
    client.force_login(other_county_user)
    found = client.post("/api/v1/people/search/", {"id_number": ID_NUMBER}, content_type="application/json")
    assert found.json()["count"] == 0


# --- Reveal, logged with a reason ------------------------------------------------------------


def test_x2_reveal_page_shows_the_number_and_logs_who_why_and_where(client, county_user, person):
    client.force_login(county_user)
    response = client.post(
        f"/people/{person.pk}/reveal/",
        {"field": "id_number", "reason": "核对低保资格"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 200
    assert ID_NUMBER in response.content.decode()
    reveal = PersonalDataReveal.objects.get()
    assert (reveal.viewer, reveal.person, reveal.field, reveal.reason, reveal.remote_addr) == (
        county_user,
        person,
        RevealedField.ID_NUMBER,
        "核对低保资格",
        "10.1.2.3",
    )
    phone = client.post(f"/people/{person.pk}/reveal/", {"field": "phone", "reason": "电话回访"})
    assert PHONE in phone.content.decode()
    assert ID_NUMBER not in phone.content.decode()
    assert PersonalDataReveal.objects.filter(field=RevealedField.PHONE, reason="电话回访").count() == 1


def test_x2_reveal_without_a_reason_shows_nothing_and_logs_nothing(client, county_user, person):
    client.force_login(county_user)
    for reason in ("", "   "):
        response = client.post(f"/people/{person.pk}/reveal/", {"field": "id_number", "reason": reason})
        assert response.status_code == 200
        page = response.content.decode()
        assert ID_NUMBER not in page
        assert "查看事由" in page
    assert not PersonalDataReveal.objects.exists()


def test_x2_reveal_is_refused_without_the_permission_or_outside_the_county(
    client, tree, county_user, other_county_user, person
):
    village_user = make_user("village_staff", tree.village_a)
    client.force_login(village_user)
    assert client.get(f"/people/{person.pk}/").status_code == 200  # may see the masked record
    response = client.post(f"/people/{person.pk}/reveal/", {"field": "id_number", "reason": "好奇"})
    assert response.status_code == 403
    assert ID_NUMBER not in response.content.decode()
    api = client.post(
        f"/api/v1/people/{person.pk}/reveal/",
        {"field": "id_number", "reason": "好奇"},
        content_type="application/json",
    )
    assert api.status_code == 403
    client.force_login(other_county_user)
    assert (
        client.post(f"/people/{person.pk}/reveal/", {"field": "phone", "reason": "核对"}).status_code == 404
    )
    api = client.post(
        f"/api/v1/people/{person.pk}/reveal/",
        {"field": "phone", "reason": "核对"},
        content_type="application/json",
    )
    assert api.status_code == 404
    assert PHONE not in api.content.decode()
    assert not PersonalDataReveal.objects.exists()


def test_x2_reveal_through_the_api(client, county_user, person):
    client.force_login(county_user)
    url = f"/api/v1/people/{person.pk}/reveal/"
    response = client.post(url, {"field": "phone", "reason": "电话回访"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"field": "phone", "value": PHONE}
    reveal = PersonalDataReveal.objects.get()
    assert (reveal.viewer, reveal.person, reveal.field, reveal.reason, reveal.remote_addr) == (
        county_user,
        person,
        "phone",
        "电话回访",
        "127.0.0.1",
    )
    missing = client.post(url, {"field": "id_number"}, content_type="application/json")
    assert missing.status_code == 400
    assert "reason" in missing.json()["error"]["fields"]
    blank = client.post(url, {"field": "id_number", "reason": ""}, content_type="application/json")
    assert blank.status_code == 400
    other_field = client.post(url, {"field": "address", "reason": "核对"}, content_type="application/json")
    assert other_field.status_code == 400
    assert PersonalDataReveal.objects.count() == 1


def test_x2_region_admin_sees_the_reveals(client, tree, county_user, region_admin, person):
    client.force_login(county_user)
    client.post(f"/people/{person.pk}/reveal/", {"field": "id_number", "reason": "核对低保资格"})
    assert client.get("/people/reveals/").status_code == 403  # county staff do not audit reveals
    client.force_login(region_admin)
    page = client.get("/people/reveals/").content.decode()
    assert "核对低保资格" in page
    assert "加格达奇区用户" in page  # the viewer
    assert "张三" in page
    assert "证件号码" in page
    assert ID_NUMBER not in page


def test_x2_reveal_log_exports_to_xlsx(client, county_user, region_admin, person):
    client.force_login(county_user)
    client.post(f"/people/{person.pk}/reveal/", {"field": "id_number", "reason": "核对低保资格"})
    client.force_login(region_admin)
    header, *rows = _sheet_rows(client.get("/people/reveals/", {"export": "xlsx"}))
    assert header[0] == "时间"
    assert [(str(row[0]), row[5]) for row in rows] == [("2022-01-05 10:00:00", "核对低保资格")]


# --- Unmasked export -------------------------------------------------------------------------


def test_x2_unmasked_export_needs_a_reason_and_is_logged(client, region_admin, person):
    client.force_login(region_admin)
    response = client.post("/people/export-unmasked/", {"reason": "报送上级核对"}, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200
    header, *rows = _sheet_rows(response)
    assert header[4:6] == ("证件号码", "手机号")
    assert [(row[0], row[4], row[5]) for row in rows] == [("张三", ID_NUMBER, PHONE)]
    reveal = PersonalDataReveal.objects.get()
    assert (reveal.viewer, reveal.person, reveal.field, reveal.reason, reveal.remote_addr) == (
        region_admin,
        None,
        RevealedField.EXPORT,
        "报送上级核对",
        "10.9.8.7",
    )


def test_x2_unmasked_export_without_a_reason_gives_no_file(client, region_admin, person):
    client.force_login(region_admin)
    for data in ({}, {"reason": ""}, {"reason": "  "}):
        response = client.post("/people/export-unmasked/", data)
        assert response.status_code == 302
        assert response["Location"] == "/people/"
        assert ID_NUMBER.encode() not in response.content
    assert client.get("/people/export-unmasked/").status_code == 302
    assert not PersonalDataReveal.objects.exists()


def test_x2_unmasked_export_is_refused_to_county_staff(client, county_user, person):
    client.force_login(county_user)
    response = client.post("/people/export-unmasked/", {"reason": "报送"})
    assert response.status_code == 403
    assert ID_NUMBER.encode() not in response.content
    assert not PersonalDataReveal.objects.exists()


# --- Query count -----------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _people(tree, actor, count, start=0):
    for number in range(start, start + count):
        register(
            actor,
            tree.village_a,
            name=f"人员{number:03d}",
            id_number=make_id(sequence=f"{number:03d}"),
            phone=f"1381234{number:04d}",
            categories=[Category.DIBAO, Category.TEKUN] if number % 2 else [Category.STAFF],
        )


def test_x2_person_list_query_count_does_not_grow_with_rows(client, tree, county_user):
    _people(tree, county_user, 5)
    client.force_login(county_user)
    _queries(client, "/people/")  # warm the session and any per-process caches
    few = _queries(client, "/people/")
    api_few = _queries(client, "/api/v1/people/")
    _people(tree, county_user, 55, start=5)
    assert Person.objects.count() == 60
    assert _queries(client, "/people/") == few
    assert _queries(client, "/api/v1/people/") == api_few
