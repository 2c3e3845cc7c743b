"""Staff pages: permissions, query counts on lists, the counter flow over HTTP, demo data."""

import datetime as dt

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.campaigns.policy import current_policies, current_policy
from shouhu.common import clock
from shouhu.marriage import selectors, services
from shouhu.marriage.demo import load_demo_marriage
from shouhu.marriage.models import Booking, BookingStatus, MarriagePolicy, NonComplianceReport, SlotTemplate
from shouhu.marriage.tests.factories import book, make_registry
from shouhu.screening.models import ScreeningPolicy

TODAY_SLOTS = ((14, 15, 1), (15, 16, 1))


@pytest.fixture
def registry(tree, plan_campaign):
    return make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4, slots=TODAY_SLOTS)


@pytest.fixture
def clerk(registry):
    return make_user("institution_staff", registry)


def test_m1_staff_pages_answer(client, registry, county_user):
    booking = book(registry, services.slots_make(unit=registry, day=clock.today())[0])
    client.force_login(county_user)
    for url in (
        "/marriage/",
        f"/marriage/registries/{registry.pk}/",
        f"/marriage/registries/{registry.pk}/day/",
        "/marriage/surge-dates/",
        "/marriage/counter/",
        f"/marriage/counter/?code={booking.code}",
        "/marriage/reports/",
        "/marriage/reports/?export=xlsx",
        "/marriage/report-recipients/",
        "/marriage/hall-logs/",
        "/marriage/daily-counts/",
        f"/marriage/bookings/{booking.pk}/",
    ):
        response = client.get(url)
        assert response.status_code in (200, 302), url
    # A date that is none is refused with what is wrong (common.bounds), not taken for today.
    garbage = client.get(f"/marriage/registries/{registry.pk}/day/?date=garbage")
    assert garbage.status_code == 400
    assert "日期：日期格式应为 2022-01-05" in garbage.content.decode()


def test_m1_lists_keep_their_query_count(client, registry, county_user, django_assert_max_num_queries):
    for hour in (14, 15):
        for _ in range(2):
            book(registry, services.slots_make(unit=registry, day=clock.today())[hour - 14])
    client.force_login(county_user)
    with django_assert_max_num_queries(25):
        client.get(f"/marriage/registries/{registry.pk}/day/")
    with django_assert_max_num_queries(20):
        client.get("/marriage/counter/")


def test_m1_village_staff_cannot_open_the_counter(client, tree, registry):
    client.force_login(make_user("village_staff", tree.village_a))
    assert client.get("/marriage/counter/").status_code == 403


def test_m1_registry_settings_page_changes_the_quota(client, registry, county_user):
    client.force_login(county_user)
    client.post(
        f"/marriage/registries/{registry.pk}/",
        {
            "action": "settings",
            "daily_quota": "6",
            "open_weekdays": "123456",
            "extra_notice": "请提前十分钟到达",
        },
    )
    registry.marriage_settings.refresh_from_db()
    assert registry.marriage_settings.daily_quota == 6
    bad = client.post(f"/marriage/registries/{registry.pk}/", {"action": "settings", "open_weekdays": "89"})
    assert "每周办理日" in bad.content.decode()
    client.post(
        f"/marriage/registries/{registry.pk}/",
        {"action": "template", "plan": "normal", "starts_at": "16:00", "ends_at": "15:00", "share": "1"},
    )
    assert SlotTemplate.objects.filter(unit=registry).count() == 2


def test_m4_counter_over_http_refuses_and_reports(client, registry, clerk):
    booking = book(registry, services.slots_make(unit=registry, day=clock.today())[0])
    client.force_login(clerk)
    url = f"/marriage/bookings/{booking.pk}/"
    client.post(url, {"action": "check_in"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    party = booking.parties.get(role="a")
    data = {"action": f"screen-{party.pk}", f"p{party.pk}-temperature": "38.2"}
    for question in selectors.questions_for(party, *current_policies(MarriagePolicy, ScreeningPolicy)):
        data[f"p{party.pk}-q_{question.key}"] = "0" if question.refuses_when else "1"
    page = client.post(url, data, follow=True).content.decode()
    assert "不符合办理条件" in page
    assert NonComplianceReport.objects.filter(booking=booking).exists()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REFUSED


def test_m1_demo_data_is_idempotent(tree, plan_campaign):
    make_registry(tree.county_a, "加格达奇区婚姻登记处", slots=())
    first = load_demo_marriage()
    assert first["registries"] == 1
    assert first["bookings"] == 3
    assert load_demo_marriage() == {"registries": 0, "bookings": 0}
    assert Booking.objects.count() == 3


def test_m5_the_demo_has_a_surge_date_open_for_booking_now(tree, plan_campaign):
    from shouhu.campaigns.policy import current_policy
    from shouhu.marriage.models import SurgeDate

    unit = make_registry(tree.county_a, "加格达奇区婚姻登记处", slots=())
    load_demo_marriage()
    horizon = dt.timedelta(days=current_policy(MarriagePolicy).booking_horizon_days)
    drill = SurgeDate.objects.get(date__gte=clock.today(), date__lte=clock.today() + horizon)
    policy = current_policy(MarriagePolicy, drill.date)
    assert selectors.day_refusal(unit=unit, day=drill.date, policy=policy) is None
    first = services.slots_make(unit=unit, day=drill.date)[0]
    assert (first.starts_at, first.ends_at) == (dt.time(8, 30), dt.time(9))  # the surge plan
    assert SurgeDate.objects.filter(name="“520”").exists()


def test_m1_a_day_outside_the_booking_window_gets_no_slot_rows(tree):
    from shouhu.marriage import services
    from shouhu.marriage.models import Slot
    from shouhu.marriage.tests.factories import MONDAY, make_registry

    registry = make_registry(tree.county_a, "加格达奇区婚姻登记处")
    far = dt.date(9999, 12, 27)
    assert services.slots_make(unit=registry, day=far) == []
    assert services.slots_make(unit=registry, day=MONDAY - dt.timedelta(days=7)) == []
    horizon = dt.timedelta(days=current_policy(MarriagePolicy).booking_horizon_days)
    window = (clock.today(), clock.today() + horizon)
    assert not Slot.objects.filter(unit=registry).exclude(date__range=window).exists()
    # Saving the slot plan made the rows of the window's days: a bookable day has its slots.
    assert Slot.objects.filter(unit=registry, date=MONDAY).exists()
    assert services.slots_make(unit=registry, day=MONDAY), "a bookable day still gets its slots"


def test_m3_counter_says_what_is_wrong_with_the_screening_input(client, registry, clerk):
    from shouhu.marriage.models import CounterCheck

    booking = book(registry, services.slots_make(unit=registry, day=clock.today())[0])
    client.force_login(clerk)
    url = f"/marriage/bookings/{booking.pk}/"
    client.post(url, {"action": "check_in"})
    party = booking.parties.get(role="a")
    questions = selectors.questions_for(party, *current_policies(MarriagePolicy, ScreeningPolicy))
    answers = {f"p{party.pk}-q_{q.key}": "0" if q.refuses_when else "1" for q in questions}
    too_hot = client.post(
        url, {"action": f"screen-{party.pk}", f"p{party.pk}-temperature": "100", **answers}, follow=True
    ).content.decode()
    assert "不在 34.0–43.0℃ 之间" in too_hot
    unanswered = dict(list(answers.items())[1:])
    missing = client.post(
        url, {"action": f"screen-{party.pk}", f"p{party.pk}-temperature": "36.5", **unanswered}, follow=True
    ).content.decode()
    assert f"{questions[0].text}：" in missing  # the message names the unanswered question
    assert not CounterCheck.objects.exists()
