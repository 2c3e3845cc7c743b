"""The public booking pages, phone-first and without login (M1–M3, M5)."""

import datetime as dt

import pytest
from django.conf import settings

from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.marriage import selectors, services
from shouhu.marriage.models import Booking, BookingStatus, MarriagePolicy, SlotPlan
from shouhu.marriage.tests.factories import (
    MONDAY,
    first_slot,
    make_registry,
    phone,
    public_book,
    resident_id,
)
from shouhu.notifications.models import PhoneCodePolicy
from shouhu.people.idcard import phone_key
from shouhu.people.services import PersonInput, person_register
from shouhu.screening import services as screening_services
from shouhu.screening.models import IsolationKind

MOBILE = {"HTTP_USER_AGENT": "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) Mobile/15E148"}


@pytest.fixture
def registry(tree, plan_campaign):
    return make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4)


def form_data(unit, slot, *, a_id="", b_id="", a_phone="", waitlist=False, extra=None):
    data = {
        "unit": unit.pk,
        "date": slot.date.isoformat(),
        "slot": slot.pk,
        "a_name": "张三",
        "a_id_type": "resident_id",
        "a_id_number": a_id or resident_id(),
        "a_phone": a_phone or phone(),
        "b_name": "李四",
        "b_id_type": "resident_id",
        "b_id_number": b_id or resident_id(female=True),
        "b_phone": phone(),
        "consent": "on",
    }
    if waitlist:
        data["join_waitlist"] = "on"
    data.update(extra or {})
    return data


def test_m1_public_page_needs_no_login_and_lists_registries(client, registry):
    page = client.get("/marriage/book/", **MOBILE)
    assert page.status_code == 200
    assert registry.name in page.content.decode()
    slots = client.get(f"/marriage/book/slots/?unit={registry.pk}&date={MONDAY}").content.decode()
    assert "余 2 个" in slots


def test_m1_booking_shows_code_and_advance_notice(client, registry):
    slot = first_slot(registry)
    response = public_book(client, form_data(registry, slot), follow=True)
    page = response.content.decode()
    booking = Booking.objects.get()
    assert booking.code in page
    assert "提前告知" in page
    assert "户口簿" in page
    assert "体温达到或超过" in page


def test_m5_phone_books_the_last_seat_of_520_then_waitlist_then_cancel_moves_them_in(
    client, tree, plan_campaign
):
    unit = make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4)
    services.surge_dates_sync_upcoming(actor=None)
    services.surge_date_set(
        actor=None, date=dt.date(2022, 5, 20), name="“520”", daily_quota=2, is_computed=True
    )
    for hour in (9, 10):
        services.slot_template_add(
            actor=None,
            unit=unit,
            starts_at=dt.time(hour),
            ends_at=dt.time(hour, 30),
            share=1,
            plan=SlotPlan.SURGE,
        )
    with clock.frozen(dt.datetime(2022, 5, 16, 9, 0)):
        slot = first_slot(unit, dt.date(2022, 5, 20))
        assert slot.capacity == 1
        first_phone = phone()
        done = public_book(client, form_data(unit, slot, a_phone=first_phone), follow=True, **MOBILE)
        assert "预约成功" in done.content.decode()
        code = Booking.objects.get(status=BookingStatus.BOOKED).code

        full = public_book(client, form_data(unit, slot), **MOBILE)
        assert full.status_code == 409
        assert "已约满" in full.content.decode()
        assert 'data-testid="waitlist-offer"' in full.content.decode()
        waiting_phone = phone()
        public_book(client, form_data(unit, slot, a_phone=waiting_phone, waitlist=True), **MOBILE)
        waiting = Booking.objects.get(status=BookingStatus.WAITING)

        other = client.__class__()
        other.post("/marriage/book/manage/", {"action": "lookup", "code": code, "phone": first_phone})
        cancelled = other.post("/marriage/book/manage/", {"action": "cancel"})
        assert "预约已取消" in cancelled.content.decode()
        waiting.refresh_from_db()
        assert waiting.status == BookingStatus.OFFERED

        third = client.__class__()
        third.post(
            "/marriage/book/manage/", {"action": "lookup", "code": waiting.code, "phone": waiting_phone}
        )
        confirmed = third.post("/marriage/book/manage/", {"action": "confirm"})
        assert "已确认递补名额" in confirmed.content.decode()
        waiting.refresh_from_db()
        assert waiting.status == BookingStatus.BOOKED


def _isolated(registry, *, tel=""):
    number = resident_id()
    person = person_register(
        actor=None, data=PersonInput(name="王五", home_unit=registry, id_number=number, phone=tel)
    ).person
    screening_services.isolation_record(
        actor=None,
        person=person,
        kind=IsolationKind.CENTRALISED,
        starts_on=clock.today(),
        source="卫健部门推送",
    )
    return number


def test_m3_party_in_isolation_is_refused_with_the_reason_once_their_registered_phone_proves_it(
    client, registry
):
    registered_phone = phone()
    number = _isolated(registry, tel=registered_phone)
    # Whatever phone was typed, the code went to the one the register keeps for the document.
    response = public_book(client, form_data(registry, first_slot(registry), a_id=number), **MOBILE)
    assert response.status_code == 409
    page = response.content.decode()
    assert "集中隔离期" in page
    assert "隔离期未满不能预约" in page
    assert not Booking.objects.exists()
    from shouhu.notifications.models import OutboxMessage

    assert OutboxMessage.objects.filter(phone_index=phone_key(registered_phone)).count() == 1


def test_x2_someone_typing_an_isolated_persons_id_learns_nothing_and_books_nothing(client, registry):
    """The stranger's own phone gets no code for a registered person: no code, no booking, no word
    of isolation; and nobody is added to the register."""
    from shouhu.people.models import Person

    number = _isolated(registry, tel=phone())
    typed = client.post("/marriage/book/", form_data(registry, first_slot(registry), a_id=number), **MOBILE)
    assert typed.status_code == 302
    pages = [client.get("/marriage/book/verify/", **MOBILE)]
    for guess in ("000000", "123456"):
        pages.append(
            client.post("/marriage/book/verify/", {"action": "confirm", "code_a": guess, "code_b": guess})
        )
    for page in pages:
        html = page.content.decode()
        assert "隔离" not in html
        assert "王五" not in html
    assert pages[-1].status_code == 400
    assert "验证码不正确" in pages[-1].content.decode()
    assert not Booking.objects.exists()
    assert Person.objects.count() == 1  # only the isolated person registered beforehand


def test_x2_a_party_registered_without_a_phone_is_sent_to_the_counter_without_a_reason(client, registry):
    number = _isolated(registry)
    response = public_book(client, form_data(registry, first_slot(registry), a_id=number), **MOBILE)
    assert response.status_code == 409
    page = response.content.decode()
    assert "现场核实" in page
    assert "隔离" not in page
    assert not Booking.objects.exists()


def test_m1_bad_input_is_answered_in_chinese_never_a_server_error(client, registry):
    slot = first_slot(registry)
    bad = client.post("/marriage/book/", form_data(registry, slot, a_id="232701199001011230"))
    assert bad.status_code == 400
    assert "校验位" in bad.content.decode()
    same = resident_id()
    twice = client.post("/marriage/book/", form_data(registry, slot, a_id=same, b_id=same))
    assert "不能是同一人" in twice.content.decode()
    for junk in (
        {"unit": "abc", "slot": "-1", "date": "2022-13-45"},
        {"slot": str(2**63)},
        {"unit": str(2**70)},
        {"unit": "1\x00"},
        {"slot": "999999"},
        {"date": "2021-01-01"},
    ):
        response = client.post("/marriage/book/", form_data(registry, slot, extra=junk))
        assert response.status_code in (400, 409), junk
    for query in ("unit=abc&date=x", "unit=99999999999999999999&date=2022-01-10", "unit=&date="):
        assert client.get(f"/marriage/book/slots/?{query}").status_code == 200
        assert client.get(f"/marriage/book/?{query}").status_code == 200
    assert not Booking.objects.exists()


def test_m1_code_guessing_is_rate_limited_without_a_hint(client, registry):
    tel = phone()
    public_book(client, form_data(registry, first_slot(registry), a_phone=tel))
    code = Booking.objects.get().code
    wrong_code = client.post("/marriage/book/manage/", {"action": "lookup", "code": "AAAAAAAA", "phone": tel})
    wrong_phone = client.post(
        "/marriage/book/manage/", {"action": "lookup", "code": code, "phone": "13800000000"}
    )
    assert wrong_code.status_code == wrong_phone.status_code == 400
    assert "预约码或手机号不正确" in wrong_code.content.decode()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/marriage/book/manage/", {"action": "lookup", "code": code, "phone": "13800000000"})
    locked = client.post("/marriage/book/manage/", {"action": "lookup", "code": code, "phone": tel})
    assert locked.status_code == 400
    assert "我的预约" not in locked.content.decode()
    assert "预约码或手机号不正确" in locked.content.decode()


def test_m1_actions_without_lookup_are_refused(client, registry):
    response = client.post("/marriage/book/manage/", {"action": "cancel"})
    assert response.status_code == 400
    assert client.get("/marriage/book/done/").status_code == 302


def test_m7_one_public_booking_keeps_its_query_count(client, registry, django_assert_max_num_queries):
    """Both steps stay a fixed number of round trips: the form (checks, limits, codes) and the
    code page (codes, then the booking: both parties looked up with one query, new ones inserted
    together, the day's rules read in one statement, both texts queued with one insert)."""
    from auditlog.models import LogEntry

    from shouhu.marriage.tests.factories import sent_codes
    from shouhu.notifications.models import OutboxMessage
    from shouhu.people.models import Person

    slot = first_slot(registry)
    logged = LogEntry.objects.count()
    # 46 (with savepoints): the form's registry and slot, the policy, the day's rules, the limits
    # (per document, per phone, per address), two codes with their texts, the request, the session.
    with django_assert_max_num_queries(46):
        typed = client.post("/marriage/book/", form_data(registry, slot))
    assert typed.status_code == 302
    assert not Person.objects.exists()
    codes = sent_codes()
    # 34 (with savepoints): the session's request, both codes checked and marked, the request
    # locked, the proven phones' lock rows and their bookings, then the booking itself, the session
    # (and a content-type lookup that a running server has cached; 20 before codes existed).
    with django_assert_max_num_queries(34):
        response = client.post(
            "/marriage/book/verify/", {"action": "confirm", "code_a": codes["a"], "code_b": codes["b"]}
        )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.BOOKED
    assert Person.objects.count() == 2
    assert OutboxMessage.objects.count() == 4  # two codes, then the two booking texts
    # Writes stay audited: both persons and both texts, as save() would have logged them.
    assert LogEntry.objects.count() - logged >= 4


def test_c4_a_displaced_holder_may_rebook_into_a_surge_date_before_it_opens(client, tree, registry):
    from shouhu.marriage.tests.factories import book, party, suspend

    surge_day = dt.date(2022, 1, 29)  # opens to the public on the 27th
    services.surge_date_set(
        actor=None, date=surge_day, name="测试高峰日", daily_quota=2, booking_opens_days=2
    )
    services.slot_template_add(
        actor=None, unit=registry, starts_at=dt.time(9), ends_at=dt.time(9, 30), share=1, plan=SlotPlan.SURGE
    )
    tel = phone()
    booking = book(registry, first_slot(registry), a=party("王五", tel=tel))
    public_slots = client.get(f"/marriage/book/slots/?unit={registry.pk}&date={surge_day}").content.decode()
    assert "开放" in public_slots  # not yet open to anyone

    suspend(tree.county_a, MONDAY)
    manage_page = client.post(
        "/marriage/book/manage/", {"action": "lookup", "code": booking.code, "phone": tel}
    ).content.decode()
    assert """hx-vals='{"manage": "1"}'""" in manage_page  # its slot picker asks as the manage page
    holder_slots = client.get(
        f"/marriage/book/slots/?unit={registry.pk}&date={surge_day}&manage=1"
    ).content.decode()
    assert "09:00" in holder_slots
    assert "开放" not in holder_slots
    # Without manage=1 (the booking page) the public rule holds, session or not.
    assert "开放" in client.get(f"/marriage/book/slots/?unit={registry.pk}&date={surge_day}").content.decode()
    surge_slot = services.slots_make(unit=registry, day=surge_day)[0]
    moved = client.post(
        "/marriage/book/manage/",
        {"action": "reschedule", "unit": registry.pk, "date": surge_day.isoformat(), "slot": surge_slot.pk},
    )
    assert moved.status_code == 200, moved.content.decode()[:500]
    booking.refresh_from_db()
    assert booking.date == surge_day
    # Moved out of the suspended window: the priority is spent, the public rules apply again.

    assert not selectors.displaced_by_suspension(booking)
    again = client.get(f"/marriage/book/slots/?unit={registry.pk}&date={surge_day}&manage=1").content.decode()
    assert "开放" in again


def test_m1_the_date_picker_offers_the_bookable_days(client, registry):
    page = client.get("/marriage/book/", **MOBILE).content.decode()
    horizon = current_policy(MarriagePolicy).booking_horizon_days
    assert f'min="{clock.today().isoformat()}"' in page
    assert f'max="{(clock.today() + dt.timedelta(days=horizon)).isoformat()}"' in page


def test_m1_show_slots_posts_and_keeps_what_was_typed_without_booking(client, registry):
    """ "查看可约时段" without JavaScript: no ID or phone number in a URL, nothing typed lost."""
    page = client.get("/marriage/book/", **MOBILE).content.decode()
    form_tag = page[: page.index('data-testid="show-slots"')].rsplit("<form", 1)[1]
    assert 'method="post"' in form_tag
    button = page[page.rindex("<button", 0, page.index('data-testid="show-slots"')) :].split(">", 1)[0]
    assert "formmethod" not in button
    assert 'name="show_slots"' in button
    slot = first_slot(registry)
    data = form_data(registry, slot, waitlist=True, extra={"show_slots": "1"})
    del data["slot"]
    response = client.post("/marriage/book/", data, **MOBILE)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("a_name", "a_id_number", "a_phone", "b_name", "b_id_number", "b_phone"):
        assert f'value="{data[name]}"' in html, name
    assert f'data-testid="slot-{slot.starts_at:%H%M}"' in html  # the day's slots are listed
    assert "该字段是必填项" not in html
    assert 'data-testid="form-error"' not in html
    assert not Booking.objects.exists()


def test_m5_a_full_slot_is_said_once_on_the_public_page(client, registry):
    slot = first_slot(registry)
    for _seat in range(slot.capacity):
        public_book(client, form_data(registry, slot), **MOBILE)
    full = public_book(client, form_data(registry, slot), **MOBILE)
    assert full.status_code == 409
    html = full.content.decode()
    assert 'data-testid="waitlist-offer"' in html
    assert 'data-testid="form-error"' not in html
    assert "该时段已约满，可以登记候补" not in html
    # The codes stay proven: joining the waiting list needs no new ones.
    joined = client.post("/marriage/book/verify/", {"action": "waitlist"})
    assert joined.status_code == 302
    assert Booking.objects.filter(status=BookingStatus.WAITING).count() == 1


def test_x2_unconfirmed_requests_and_their_codes_are_deleted_by_the_nightly_purge(
    client, registry, fixed_clock
):
    import io

    from django.core.management import call_command

    from shouhu.marriage.models import BookingRequest
    from shouhu.notifications.models import PhoneCode

    client.post("/marriage/book/", form_data(registry, first_slot(registry)))
    assert BookingRequest.objects.count() == 1
    assert PhoneCode.objects.count() == 2
    minutes = current_policy(PhoneCodePolicy).code_valid_minutes
    with clock.frozen(fixed_clock + dt.timedelta(minutes=minutes - 1)):
        call_command("purge_expired", stdout=io.StringIO())
        assert BookingRequest.objects.count() == 1
    with clock.frozen(fixed_clock + dt.timedelta(minutes=minutes + 1)):
        out = io.StringIO()
        call_command("purge_expired", stdout=out)
    assert not BookingRequest.objects.exists()
    assert not PhoneCode.objects.exists()
    assert "短信验证码" in out.getvalue()
