"""S4: venue codes, the public self-declaration page, its limits and its bad input; retention."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db import connection

from shouhu.accounts.tests.factories import make_user
from shouhu.campaigns.services import policy_update
from shouhu.common import clock
from shouhu.screening import services
from shouhu.screening.models import DailyScreeningCount, Screening, ScreeningPolicy, VenueCode, Verdict
from shouhu.screening.rules import Facts
from shouhu.screening.tests.factories import GREEN, make_institution, risk_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def venue(tree):
    return services.venue_code_issue(actor=None, unit=tree.nursing_home_a)


def declaration(**changes: str) -> dict[str, str]:
    data = {
        "visitor_name": "访客王",
        "visitor_phone": "13800138000",
        "health_code": "green",
        "itinerary_code": "green",
        "itinerary_star": "no",
        "mask": "yes",
        "consent": "on",
        "travel-TOTAL_FORMS": "3",
        "travel-INITIAL_FORMS": "0",
        "travel-MIN_NUM_FORMS": "0",
        "travel-MAX_NUM_FORMS": "10",
    }
    data.update(changes)
    return data


def at(moment: dt.datetime):
    return clock.frozen(moment)


def test_s4_each_institution_has_a_printable_venue_code_with_a_random_token(client, tree, county_user):
    client.force_login(county_user)
    poster = client.get(f"/screening/venues/{tree.nursing_home_a.pk}/poster/")
    assert poster.status_code == 200
    venue = VenueCode.objects.get(unit=tree.nursing_home_a)
    page = poster.content.decode()
    assert "加格达奇区社会福利中心" in page
    assert "<svg" in page
    assert f"/v/{venue.token}/" in page
    assert len(venue.token) >= 20
    assert str(tree.nursing_home_a.pk) != venue.token
    svg = client.get(f"/screening/venues/{tree.nursing_home_a.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<?xml")
    listing = client.get("/screening/venues/").content.decode()
    assert "加格达奇区社会福利中心" in listing
    assert "漠河市社会福利中心" not in listing
    # Only institutions have venue codes.
    assert client.get(f"/screening/venues/{tree.township_a.pk}/poster/").status_code == 404


def test_s4_rotating_the_code_retires_the_printed_one(client, tree, county_user, venue):
    old = venue.token
    client.force_login(county_user)
    client.post(f"/screening/venues/{tree.nursing_home_a.pk}/rotate/")
    client.logout()
    assert client.get(f"/v/{old}/").status_code == 404
    assert client.get(f"/v/{VenueCode.objects.get().token}/").status_code == 200


def test_s4_a_visitor_declares_without_logging_in_and_sees_the_provisional_verdict(client, venue):
    page = client.get(f"/v/{venue.token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "加格达奇区社会福利中心" in html
    assert "个人信息保护法" in html
    assert "28 天后自动删除" in html
    response = client.post(f"/v/{venue.token}/", declaration())
    assert response.status_code == 302
    receipt = client.get(response["Location"]).content.decode()
    screening = Screening.objects.get()
    assert screening.verdict == Verdict.PENDING
    assert screening.source == "venue_code"
    assert "请向工作人员出示此页，配合测温" in receipt
    assert screening.receipt_code in receipt
    assert "访*" in receipt
    assert "访客王" not in receipt
    assert screening.visitor_phone_index
    assert screening.temperature is None


def test_s4_travel_through_a_risk_area_is_refused_on_the_phone_at_once(client, venue):
    risk_area(province="北京市", county="朝阳区", level="high")
    response = client.post(
        f"/v/{venue.token}/",
        declaration(
            **{"travel-0-province": "北京市", "travel-0-place": "朝阳区", "travel-0-arrived_on": "2022-01-01"}
        ),
        follow=True,
    )
    page = response.content.decode()
    assert "劝返" in page
    assert "高风险地区北京市朝阳区" in page
    assert Screening.objects.get().reason_codes == ["risk_area"]


def test_s4_declaring_twice_in_a_minute_keeps_the_first_and_says_so(client, venue, plan_campaign):
    first = client.post(f"/v/{venue.token}/", declaration())
    with at(dt.datetime(2022, 1, 5, 10, 0, 40)):
        second = client.post(f"/v/{venue.token}/", declaration(visitor_name="访客王二"), follow=True)
    assert "您刚刚已提交过申报" in second.content.decode()
    assert second.redirect_chain[0][0] == f"{first['Location']}?repeat=1"
    assert Screening.objects.count() == 1
    with at(dt.datetime(2022, 1, 5, 10, 1, 1)):
        assert client.post(f"/v/{venue.token}/", declaration()).status_code == 302
    assert Screening.objects.count() == 2
    policy_update(
        actor=None,
        campaign=plan_campaign,
        model=ScreeningPolicy,
        values={"declaration_repeat_window_seconds": 120},
    )
    with at(dt.datetime(2022, 1, 5, 10, 2, 0)):
        client.post(f"/v/{venue.token}/", declaration())
    assert Screening.objects.count() == 2


def test_s4_submissions_are_limited_per_address_and_per_venue(client, tree, venue, plan_campaign):
    policy_update(
        actor=None,
        campaign=plan_campaign,
        model=ScreeningPolicy,
        values={"venue_declarations_per_address_per_hour": 3, "venue_declarations_per_venue_per_minute": 5},
    )
    phones = iter(f"1390013900{n}" for n in range(10))
    for _ in range(3):
        assert client.post(f"/v/{venue.token}/", declaration(visitor_phone=next(phones))).status_code == 302
    refused = client.post(f"/v/{venue.token}/", declaration(visitor_phone=next(phones)))
    assert refused.status_code == 429
    assert "过于频繁" in refused.content.decode()
    # Other addresses still get through, until the venue's own limit per minute.
    for number in range(2):
        ok = client.post(
            f"/v/{venue.token}/", declaration(visitor_phone=next(phones)), REMOTE_ADDR=f"10.0.0.{number}"
        )
        assert ok.status_code == 302
    busy = client.post(f"/v/{venue.token}/", declaration(visitor_phone=next(phones)), REMOTE_ADDR="10.0.0.9")
    assert busy.status_code == 429
    assert "请稍等一分钟" in busy.content.decode()
    with at(dt.datetime(2022, 1, 5, 11, 5)):
        assert client.post(f"/v/{venue.token}/", declaration(visitor_phone=next(phones))).status_code == 302
    assert Screening.objects.count() == 6


BAD_POSTS = [
    {},
    {"visitor_name": "", "visitor_phone": ""},
    declaration(visitor_phone="12345"),
    declaration(visitor_name="名" * 500),
    declaration(consent=""),
    declaration(health_code="purple"),
    declaration(**{"travel-0-place": "北京", "travel-0-arrived_on": "2022-13-45"}),
    declaration(**{"travel-0-place": "北京", "travel-0-arrived_on": "2023-01-01"}),
    declaration(
        **{"travel-0-place": "北京", "travel-0-arrived_on": "2022-01-03", "travel-0-left_on": "2022-01-01"}
    ),
    declaration(**{"travel-0-province": "火星", "travel-0-arrived_on": "2022-01-03"}),
    declaration(**{"travel-TOTAL_FORMS": "99999"}),
    declaration(**{"travel-TOTAL_FORMS": "abc"}),
    declaration(**{"travel-0-place": "\x00北京", "travel-0-arrived_on": "2022-01-03"}),
]


@pytest.mark.parametrize("data", BAD_POSTS)
def test_s4_public_pages_answer_bad_input_in_chinese_never_with_a_server_error(client, venue, data):
    response = client.post(f"/v/{venue.token}/", data)
    assert 400 <= response.status_code < 500, response.status_code
    assert "请" in response.content.decode() or "不" in response.content.decode()
    assert not Screening.objects.exists()


def test_s4_unknown_codes_and_receipts_answer_politely(client, venue):
    for url in ("/v/nope/", "/v/" + "x" * 300 + "/", f"/v/{venue.token}/r/nope/", "/v/%E4%B8%AD/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "场所码" in response.content.decode() or "回执" in response.content.decode()


def test_s4_a_receipt_is_shown_only_on_its_day(client, venue):
    response = client.post(f"/v/{venue.token}/", declaration())
    with at(dt.datetime(2022, 1, 6, 9, 0)):
        expired = client.get(response["Location"])
    assert expired.status_code == 404
    assert "回执已过期" in expired.content.decode()


def test_s4_another_countys_staff_cannot_confirm_or_see_declarations(client, tree, venue):
    services.declaration_submit(
        venue=venue, visitor_name="访客", visitor_phone="13800138000", facts=Facts(), client_address="a"
    )
    other = make_user("county_staff", tree.county_b)
    client.force_login(other)
    assert "访客" not in client.get("/screening/records/").content.decode()
    assert client.get(f"/screening/desk/{tree.nursing_home_a.pk}/pending/").status_code == 404


def test_s4_visitor_records_are_purged_after_the_retention_days_keeping_daily_counts(tree, county_user):
    home, other = tree.nursing_home_a, make_institution(tree.county_a, "东山敬老院")
    from dataclasses import replace

    with at(dt.datetime(2021, 12, 1, 9, 0)):
        services.screening_record(actor=county_user, unit=home, facts=GREEN, visitor_name="甲")
        services.screening_record(actor=county_user, unit=home, facts=replace(GREEN, health_code="red"))
        services.screening_record(actor=county_user, unit=other, facts=GREEN, visitor_name="乙")
    with at(dt.datetime(2021, 12, 7, 23, 30)):  # the last day past the 28-day retention
        services.screening_record(actor=county_user, unit=home, facts=GREEN, visitor_name="丙")
    with at(dt.datetime(2021, 12, 8, 0, 30)):  # kept: 28 days before 2022-01-05
        services.screening_record(actor=county_user, unit=home, facts=GREEN, visitor_name="丁")
    call_command("purge_visitor_records")
    assert [s.visitor_name for s in Screening.objects.all()] == ["丁"]
    counts = {(c.unit_id, c.day): c for c in DailyScreeningCount.objects.all()}
    first = counts[(home.pk, dt.date(2021, 12, 1))]
    assert (first.screenings, first.admitted, first.refused, first.refusals_by_reason) == (
        2,
        1,
        1,
        {"health_code": 1},
    )
    assert counts[(other.pk, dt.date(2021, 12, 1))].screenings == 1
    assert counts[(home.pk, dt.date(2021, 12, 7))].screenings == 1
    call_command("purge_visitor_records")  # again: nothing more, nothing counted twice
    assert DailyScreeningCount.objects.get(unit=home, day=dt.date(2021, 12, 1)).screenings == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM screening_dailyscreeningcount")
        assert "甲" not in str(cursor.fetchall())


def _isolated_with_phone(tree, tel: str):
    from shouhu.people.services import PersonInput, person_register
    from shouhu.screening.models import IsolationKind

    person = person_register(
        actor=None, data=PersonInput(name="隔离者赵", home_unit=tree.county_a, phone=tel)
    ).person
    services.isolation_record(
        actor=None, person=person, kind=IsolationKind.CENTRALISED, starts_on=clock.today(), source="推送"
    )
    return person


def test_x2_declaring_with_someone_elses_phone_tells_nothing_of_their_isolation(client, tree, venue):
    _isolated_with_phone(tree, "13800138000")
    receipt = client.post(f"/v/{venue.token}/", declaration(), follow=True)
    page = receipt.content.decode()
    assert receipt.status_code == 200
    assert "隔离" not in page
    assert "劝返" not in page
    assert "请向工作人员出示此页" in page  # the same page as any declaration awaiting staff
    # Staff still see why at the door.
    screening = Screening.objects.get()
    assert screening.verdict == Verdict.REFUSED
    assert "集中隔离期内" in screening.reasons


def test_x2_declared_reasons_are_shown_but_the_registers_are_not(client, tree, venue):
    _isolated_with_phone(tree, "13800138000")
    page = client.post(f"/v/{venue.token}/", declaration(health_code="yellow"), follow=True).content.decode()
    assert "健康码为黄码" in page
    assert "劝返" in page
    assert "隔离" not in page


def test_x2_a_phone_declared_again_elsewhere_never_shows_the_earlier_receipt(client, venue):
    first = client.post(f"/v/{venue.token}/", declaration(visitor_name="访客钱多多"), follow=True)
    assert first.status_code == 200
    stranger = client.__class__()
    with at(dt.datetime(2022, 1, 5, 10, 0, 20)):
        second = stranger.post(f"/v/{venue.token}/", declaration(visitor_name="访客孙"), follow=True)
    page = second.content.decode()
    assert "您刚刚已提交过申报" not in page
    assert "钱" not in page
    assert Screening.objects.count() == 2


def test_s4_the_declaration_preselects_nothing_and_keeps_the_answers_given(client, venue):
    page = client.get(f"/v/{venue.token}/").content.decode()
    radios = [tag for tag in re.findall(r"<input[^>]*>", page) if 'type="radio"' in tag]
    assert {re.search(r'name="([^"]+)"', tag).group(1) for tag in radios} == {
        "health_code",
        "itinerary_code",
        "itinerary_star",
        "mask",
    }
    assert not [tag for tag in radios if " checked" in tag]
    unanswered = declaration()
    for name in ("health_code", "itinerary_star", "mask"):
        unanswered.pop(name)
    response = client.post(f"/v/{venue.token}/", unanswered)
    shown = response.content.decode()
    assert response.status_code == 400
    for message in ("请选择健康码颜色", "请选择行程码是否带星号", "请选择是否佩戴口罩"):
        assert message in shown
    kept = [tag for tag in re.findall(r"<input[^>]*>", shown) if 'type="radio"' in tag and " checked" in tag]
    assert len(kept) == 1
    assert 'name="itinerary_code"' in kept[0]
    assert 'value="green"' in kept[0]
    assert 'value="访客王"' in shown
    assert not Screening.objects.exists()
    # Declaring no mask is an answer like any other, and staff see it.
    assert client.post(f"/v/{venue.token}/", declaration(mask="no")).status_code == 302
    assert Screening.objects.get().mask is False
