"""Whatever is posted, the public booking pages and the staff counter answer politely (M1–M3).

No server error (the public pages would mask one as a 503 "系统繁忙" page: that counts too), no
half-saved booking, markup escaped, and the code/phone lookup limit gives no hint which was wrong.
"""

import logging

import pytest
from django.conf import settings

from shouhu.accounts.tests.factories import make_user
from shouhu.marriage.models import Booking, BookingParty
from shouhu.marriage.tests.factories import MONDAY, book, first_slot, make_registry, phone, resident_id
from shouhu.people.models import Person

BAD_VALUES = [
    "",
    "abc",
    "-",  # a phone of dashes only normalises to nothing
    " - ",
    "-1",
    "0",
    str(2**70),
    "1.5",
    "2022-13-40",
    "0001-01-01",
    "9999-12-31",
    "x" * 10_000,
    "a\x00b",
    "\x00",
    "😀💍",
    "<script>alert(1)</script>",
    "²",
    "١٢",
    " 1 ",
]


@pytest.fixture
def registry(tree, plan_campaign):
    return make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4)


@pytest.fixture
def other_registry(tree, plan_campaign):
    return make_registry(tree.county_b, "另一婚姻登记处", quota=4)


def good_data(unit, slot, extra=None):
    data = {
        "unit": str(unit.pk),
        "date": slot.date.isoformat(),
        "slot": str(slot.pk),
        "a_name": "张三",
        "a_id_type": "resident_id",
        "a_id_number": resident_id(),
        "a_phone": phone(),
        "b_name": "李四",
        "b_id_type": "resident_id",
        "b_id_number": resident_id(female=True),
        "b_phone": phone(),
        "consent": "on",
    }
    data.update(extra or {})
    return data


BOOKING_FIELDS = [
    "unit",
    "date",
    "slot",
    "a_name",
    "a_id_type",
    "a_id_number",
    "a_phone",
    "b_name",
    "b_id_type",
    "b_id_number",
    "b_phone",
    "join_waitlist",
    "consent",
]


def assert_polite(response):
    assert response.status_code < 500, response.content.decode()[:2000]


@pytest.fixture
def no_logged_errors(caplog):
    caplog.set_level(logging.ERROR)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


@pytest.mark.parametrize("field", BOOKING_FIELDS)
def test_m1_public_booking_never_answers_a_server_error_to_bad_input(
    client, registry, other_registry, field, no_logged_errors
):
    slot = first_slot(registry)
    for value in BAD_VALUES:
        before = (Booking.objects.count(), BookingParty.objects.count(), Person.objects.count())
        data = good_data(registry, slot, {field: value})
        response = client.post("/marriage/book/", data)
        assert_polite(response)
        if response.status_code != 302:
            assert (Booking.objects.count(), BookingParty.objects.count(), Person.objects.count()) == before
        missing = {k: v for k, v in good_data(registry, slot).items() if k != field}
        assert_polite(client.post("/marriage/book/", missing))
        assert_polite(client.get("/marriage/book/", {field: value}))
        assert_polite(
            client.get("/marriage/book/slots/", {"unit": registry.pk, "date": MONDAY, field: value})
        )


def _login_manage(client, booking, tel):
    return client.post("/marriage/book/manage/", {"action": "lookup", "code": booking.code, "phone": tel})


MANAGE_FIELDS = ["action", "code", "phone", "unit", "date", "slot"]


@pytest.mark.parametrize("field", MANAGE_FIELDS)
def test_m2_manage_page_never_answers_a_server_error_to_bad_input(
    client, registry, other_registry, field, no_logged_errors
):
    from shouhu.marriage.tests.factories import party

    tel = phone()
    booking = book(registry, a=party("张三", tel=tel))
    other_slot = first_slot(other_registry)
    for value in BAD_VALUES:
        anonymous = client.__class__()
        for action in ("lookup", "cancel", "confirm", "reschedule", value):
            data = {
                "action": action,
                "code": booking.code,
                "phone": tel,
                "unit": registry.pk,
                "date": MONDAY.isoformat(),
                "slot": other_slot.pk,
                field: value,
            }
            assert_polite(anonymous.post("/marriage/book/manage/", data))
        assert_polite(_login_manage(client, booking, tel))
        data = {
            "action": "reschedule",
            "unit": registry.pk,
            "date": MONDAY.isoformat(),
            "slot": other_slot.pk,
            field: value,
        }
        assert_polite(client.post("/marriage/book/manage/", data))
        assert_polite(client.get("/marriage/book/manage/", {field: value}))
        assert_polite(client.get("/marriage/book/done/", {field: value}))
    booking.refresh_from_db()
    assert booking.slot.unit_id == registry.pk


@pytest.fixture
def clerk(registry):
    return make_user("institution_staff", registry)


def test_m3_staff_counter_never_answers_a_server_error_to_bad_input(
    client, registry, other_registry, clerk, no_logged_errors
):
    booking = book(registry)
    foreign = book(other_registry)
    client.force_login(clerk)
    parties = list(booking.parties.all())
    for value in BAD_VALUES:
        assert_polite(client.get("/marriage/counter/", {"code": value}))
        for url in (f"/marriage/registries/{registry.pk}/day/", "/marriage/daily-counts/"):
            assert_polite(client.get(url, {"date": value}))
        assert_polite(client.get("/marriage/hall-logs/", {"unit": value}))
        assert_polite(client.get("/marriage/reports/", {"status": value}))
        assert_polite(client.post("/marriage/hall-logs/", {"unit": value, "task": value, "done_at": value}))
        for action in ("check_in", value, f"screen-{parties[0].pk}"):
            data = {"action": action, f"p{parties[0].pk}-temperature": value}
            assert_polite(client.post(f"/marriage/bookings/{booking.pk}/", data))
    for pk in (foreign.pk, 2**31 - 1, 0):
        assert client.get(f"/marriage/bookings/{pk}/").status_code == 404
        assert client.post(f"/marriage/bookings/{pk}/", {"action": "cancel"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "booked"


def _post_refused(client, data):
    before = (Booking.objects.count(), BookingParty.objects.count(), Person.objects.count())
    response = client.post("/marriage/book/", data)
    assert response.status_code in (400, 409), response.status_code
    assert (Booking.objects.count(), BookingParty.objects.count(), Person.objects.count()) == before
    return response.content.decode()


def test_m1_wrong_documents_are_refused_in_chinese_and_nothing_is_saved(client, registry, no_logged_errors):
    slot = first_slot(registry)
    same = resident_id()
    page = _post_refused(client, good_data(registry, slot, {"a_id_number": same, "b_id_number": same}))
    assert "同一人" in page
    wrong_digit = resident_id()
    wrong_digit = wrong_digit[:-1] + ("0" if wrong_digit[-1] != "0" else "1")
    page = _post_refused(client, good_data(registry, slot, {"a_id_number": wrong_digit}))
    assert "证件号码" in page or "身份证" in page
    for id_type in ("hk_macao_permit", "taiwan_permit", "foreign_permanent", "passport"):
        page = _post_refused(client, good_data(registry, slot, {"b_id_type": id_type, "b_id_number": "!!"}))
        assert "Traceback" not in page
    page = _post_refused(client, good_data(registry, slot, {"a_phone": "12345"}))
    assert "手机" in page


def test_m1_markup_in_any_field_is_shown_escaped(client, registry, no_logged_errors):
    slot = first_slot(registry)
    tag = "<script>alert(1)</script>"
    for field in BOOKING_FIELDS:
        page = client.post("/marriage/book/", good_data(registry, slot, {field: tag})).content.decode()
        assert tag not in page, field
    page = client.post("/marriage/book/manage/", {"action": "lookup", "code": tag, "phone": tag})
    assert tag not in page.content.decode()
    assert (
        tag
        not in client.get("/marriage/book/slots/", {"unit": tag, "date": tag, "slot": tag}).content.decode()
    )


def test_m1_ids_from_another_registry_or_none_are_a_polite_refusal(
    client, registry, other_registry, no_logged_errors
):
    foreign_slot = first_slot(other_registry)
    for slot_id in (foreign_slot.pk, 2**31 - 1, 1_000_000):
        data = good_data(registry, first_slot(registry), {"slot": str(slot_id)})
        page = _post_refused(client, data)
        assert "重新选择" in page, slot_id
    data = good_data(registry, first_slot(registry), {"unit": str(2**31 - 1)})
    _post_refused(client, data)


def test_m2_lookup_limit_holds_and_never_says_which_of_code_or_phone_was_wrong(
    client, registry, no_logged_errors
):
    from shouhu.marriage.tests.factories import party

    tel = phone()
    booking = book(registry, a=party("张三", tel=tel))
    wrong_code = client.post("/marriage/book/manage/", {"action": "lookup", "code": "ZZZZZZ", "phone": tel})
    wrong_phone = client.post(
        "/marriage/book/manage/", {"action": "lookup", "code": booking.code, "phone": phone()}
    )
    assert wrong_code.status_code == wrong_phone.status_code == 400
    assert "预约码或手机号不正确" in wrong_code.content.decode()
    assert "预约码或手机号不正确" in wrong_phone.content.decode()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/marriage/book/manage/", {"action": "lookup", "code": booking.code, "phone": phone()})
    right = client.post("/marriage/book/manage/", {"action": "lookup", "code": booking.code, "phone": tel})
    assert right.status_code == 400
    assert "我的预约" not in right.content.decode()
    assert "预约码或手机号不正确" in right.content.decode()
    assert client.get("/marriage/book/done/").status_code == 302


def test_m2_get_on_post_only_urls_is_not_a_server_error(client, registry, clerk, no_logged_errors):
    client.force_login(clerk)
    for url in ("/marriage/slot-templates/1/delete/", "/marriage/suspensions/1/notify/"):
        assert client.get(url).status_code in (403, 404, 405)
    for method in ("put", "delete", "patch"):
        assert getattr(client, method)("/marriage/book/").status_code == 405
        assert getattr(client, method)("/marriage/book/manage/").status_code == 405
