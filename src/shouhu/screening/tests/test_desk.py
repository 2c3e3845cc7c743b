"""S1, S2 and X9 at the door: the staff screening page on a phone."""

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from shouhu.accounts.tests.factories import make_user
from shouhu.screening import services
from shouhu.screening.models import Screening, Verdict
from shouhu.screening.tests.factories import GREEN, make_institution, make_person, risk_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree):
    return make_user("institution_staff", tree.nursing_home_a)


def form_defaults(html: str) -> dict[str, str]:
    """What the browser would submit untouched: checked radios and boxes, hidden inputs."""
    values = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name:
            continue
        kind_text = kind.group(1) if kind else "text"
        if kind_text in ("radio", "checkbox") and " checked" not in tag:
            continue
        if kind_text == "checkbox":
            values[name.group(1)] = "on"
        elif value:
            values[name.group(1)] = value.group(1)
        else:
            values.setdefault(name.group(1), "")
    return values


# What staff see at the door of a green visitor, answered one tap each: nothing is preselected.
SEEN_GREEN = {"health_code": "green", "itinerary_code": "green", "itinerary_star": "no", "mask": "yes"}


def test_s1_a_green_known_visitor_takes_three_taps(client, tree, staff):
    """Tap 1 picks the person, then what was seen (codes, star, mask) and a temperature button,
    then confirm: the codes are answered, never preselected."""
    # Staff find the people of their own institution (residents, staff); others are visitors.
    person = make_person(tree.nursing_home_a, "刘老汉")
    client.force_login(staff)
    home = client.get("/screening/", follow=True)
    assert home.redirect_chain[-1][0] == f"/screening/desk/{tree.nursing_home_a.pk}/"  # one institution
    found = client.get(f"/screening/desk/{tree.nursing_home_a.pk}/?q=刘").content.decode()
    link = f"/screening/desk/{tree.nursing_home_a.pk}/people/{person.pk}/"
    assert link in found  # tap 1
    form = client.get(link).content.decode()
    data = form_defaults(form)
    assert not {"health_code", "itinerary_code", "itinerary_star", "mask"} & data.keys()
    data |= SEEN_GREEN
    assert 'name="temperature" id="t' in form
    assert 'value="36.5"' in form
    data["temperature"] = "36.5"  # tap 2
    response = client.post(link, data)  # tap 3
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert (screening.verdict, screening.person, screening.screened_by) == (Verdict.ADMITTED, person, staff)
    shown = client.get(response["Location"]).content.decode()
    assert "准予进入" in shown
    assert "刘老汉" in shown


def test_s2_the_verdict_and_reason_show_at_once(client, tree, staff):
    risk_area(province="北京市", county="朝阳区")
    client.force_login(staff)
    url = f"/screening/desk/{tree.nursing_home_a.pk}/visitor/"
    data = form_defaults(client.get(url).content.decode())
    data |= SEEN_GREEN | {
        "visitor_name": "访客甲",
        "temperature": "36.4",
        "travel-0-province": "北京市",
        "travel-0-place": "朝阳区",
        "travel-0-arrived_on": "2022-01-02",
    }
    response = client.post(url, data, follow=True)
    page = response.content.decode()
    assert "劝返" in page
    assert "14天内到过中风险地区北京市朝阳区" in page


def test_s1_bad_input_on_the_desk_is_explained_and_nothing_is_lost(client, tree, staff):
    client.force_login(staff)
    url = f"/screening/desk/{tree.nursing_home_a.pk}/visitor/"
    data = form_defaults(client.get(url).content.decode())
    data |= SEEN_GREEN | {
        "visitor_name": "访客乙",
        "visitor_phone": "13800138000",
        "temperature_typed": "45.2",
    }
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "不在 34.0–43.0℃ 之间" in page
    assert 'value="访客乙"' in page
    assert 'value="13800138000"' in page
    data |= {"temperature_typed": "36.6", "travel-0-place": "哈尔滨", "travel-0-arrived_on": "2022-02-01"}
    response = client.post(url, data)
    assert "到达日期 2022-02-01 晚于今天" in response.content.decode()
    data["travel-0-arrived_on"] = ""
    response = client.post(url, data)
    assert "请填写到达日期" in response.content.decode()
    data["temperature_typed"] = ""
    data.pop("temperature", None)
    data["travel-0-place"] = ""
    response = client.post(url, data)
    assert "请测量体温" in response.content.decode()
    assert not Screening.objects.exists()


def test_s1_exact_search_by_id_keeps_the_number_out_of_the_url(client, tree, staff):
    person = make_person(tree.nursing_home_a, "陈老太", id_number="11010519491231002X")
    client.force_login(staff)
    response = client.post(
        f"/screening/desk/{tree.nursing_home_a.pk}/find/", {"id_number": "11010519491231002x"}
    )
    assert "11010519491231002" not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert f"/people/{person.pk}/" in page


def test_s1_staff_screen_only_at_their_own_institutions(client, tree, staff):
    other = make_institution(tree.county_a, "东山敬老院")
    client.force_login(staff)
    assert client.get(f"/screening/desk/{other.pk}/").status_code == 404
    assert client.get(f"/screening/desk/{tree.nursing_home_b.pk}/").status_code == 404
    leader = make_user("leader", tree.region)
    client.force_login(leader)
    assert client.get(f"/screening/desk/{tree.nursing_home_a.pk}/").status_code == 403
    assert client.get("/screening/records/").status_code == 200


def test_s1_the_record_list_runs_a_constant_number_of_queries(client, tree, county_user):
    client.force_login(county_user)
    home = tree.nursing_home_a

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/screening/records/").status_code == 200
        return len(queries)

    services.screening_record(actor=county_user, unit=home, facts=GREEN, person=make_person(tree.village_a))
    few = count()
    for number in range(12):
        services.screening_record(
            actor=county_user, unit=make_institution(tree.county_a), facts=GREEN, visitor_name=f"访客{number}"
        )
    assert count() == few


def test_s1_the_export_masks_phone_numbers(client, tree, county_user):
    services.screening_record(
        actor=county_user,
        unit=tree.nursing_home_a,
        facts=GREEN,
        visitor_name="访客",
        visitor_phone="13800138000",
    )
    client.force_login(county_user)
    response = client.get("/screening/records/?export=xlsx")
    assert response.status_code == 200
    import io

    from openpyxl import load_workbook

    cells = [
        c
        for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        for c in row
    ]
    assert "138****8000" in cells
    assert "13800138000" not in cells


def test_s4_staff_confirm_a_declaration_with_the_temperature(client, tree, staff):
    venue = services.venue_code_issue(actor=None, unit=tree.nursing_home_a)
    from shouhu.screening.rules import Facts

    declaration = services.declaration_submit(
        venue=venue,
        visitor_name="访客丙",
        visitor_phone="13700137000",
        facts=Facts(),
        client_address="1.2.3.4",
    )
    assert declaration.verdict == Verdict.PENDING
    client.force_login(staff)
    pending = client.get(f"/screening/desk/{tree.nursing_home_a.pk}/pending/").content.decode()
    assert "访客丙" in pending
    assert declaration.receipt_code in pending
    url = f"/screening/records/{declaration.pk}/confirm/"
    data = form_defaults(client.get(url).content.decode())
    data["temperature"] = "37.4"
    assert client.post(url, data).status_code == 302
    declaration.refresh_from_db()
    assert declaration.verdict == Verdict.REFUSED
    assert declaration.screened_by == staff
    assert declaration.temperature == Decimal("37.4")
    assert "体温 37.4℃" in declaration.reasons
    again = client.get(url)
    assert again.status_code == 302  # already done: shown, not redone


def test_x9_the_desk_is_built_for_a_phone(client, tree, staff):
    client.force_login(staff)
    page = client.get(f"/screening/desk/{tree.nursing_home_a.pk}/visitor/").content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert "temperature-grid" in page
    assert "btn-lg" in page
    assert 'inputmode="decimal"' in page
    css = (
        __import__("pathlib").Path(__file__).resolve().parents[1] / "static" / "screening" / "screening.css"
    ).read_text()
    assert "grid-template-columns: repeat(5, 1fr)" in css


def test_s1_records_by_day_and_verdict(client, tree, county_user):
    services.screening_record(actor=county_user, unit=tree.nursing_home_a, facts=GREEN, visitor_name="甲")
    from dataclasses import replace

    services.screening_record(
        actor=county_user,
        unit=tree.nursing_home_a,
        facts=replace(GREEN, health_code="red"),
        visitor_name="乙",
    )
    client.force_login(county_user)
    refused = client.get("/screening/records/?verdict=refused&day=2022-01-05").content.decode()
    assert "乙" in refused
    assert ">甲<" not in refused
    assert client.get("/api/v1/screening/screenings/?verdict=refused").json()["count"] == 1
    assert "乙" not in client.get(f"/screening/records/?day={dt.date(2022, 1, 4)}").content.decode()


@pytest.mark.parametrize("path", ["/screening/isolations/", "/screening/risk-areas/", "/screening/venues/"])
def test_s3_register_lists_run_a_constant_number_of_queries(client, tree, county_user, path):
    client.force_login(county_user)

    def add(number: int) -> None:
        person = make_person(tree.village_a, f"隔离{number}")
        services.isolation_record(
            actor=county_user, person=person, kind="home", starts_on=dt.date(2022, 1, 1), source="推送"
        )
        risk_area(province="河北省", county=f"第{number}区")
        services.venue_code_issue(actor=None, unit=make_institution(tree.county_a))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    add(0)
    few = count()
    for number in range(1, 9):
        add(number)
    assert count() == few


# What the desk asks at every entrance; the API assumes none of it.
ANSWERS = {"health_code": "green", "itinerary_code": "green", "itinerary_star": False, "mask": True}


def test_s1_the_api_assumes_no_answer(client, tree, county_user):
    client.force_login(county_user)
    body = {"unit": tree.nursing_home_a.pk, "visitor_name": "未答访客", "temperature": "36.5"}
    refused = client.post("/api/v1/screening/screenings/", body, content_type="application/json")
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == set(ANSWERS)
    assert not Screening.objects.exists()
    answered = client.post(
        "/api/v1/screening/screenings/",
        {**body, **ANSWERS, "health_code": "red"},
        content_type="application/json",
    )
    assert answered.status_code == 201
    assert answered.json()["verdict"] == "refused"  # the answer given, not a default


def test_s1_an_api_screening_costs_seven_statements(client, tree, county_user, django_assert_max_num_queries):
    """The busiest write: session, user, institution in scope (one statement), policy,
    suspensions, the nursing-home closure hook, the insert — no BEGIN/COMMIT, no second unit read."""
    client.force_login(county_user)
    body = {"unit": tree.nursing_home_a.pk, "visitor_name": "计数访客", "temperature": "36.5", **ANSWERS}
    client.post("/api/v1/screening/screenings/", body, content_type="application/json")
    with django_assert_max_num_queries(7):
        recorded = client.post("/api/v1/screening/screenings/", body, content_type="application/json")
    assert recorded.status_code == 201
    assert recorded.json()["verdict"] == "admitted"
    elsewhere = {**body, "unit": tree.nursing_home_b.pk}
    assert (
        client.post("/api/v1/screening/screenings/", elsewhere, content_type="application/json").status_code
        == 404
    )


def test_s4_the_api_records_and_confirms_like_the_pages(client, tree, county_user):
    client.force_login(county_user)
    recorded = client.post(
        "/api/v1/screening/screenings/",
        {"unit": tree.nursing_home_a.pk, "visitor_name": "接口访客", "temperature": "37.6", **ANSWERS},
        content_type="application/json",
    )
    assert recorded.status_code == 201
    body = recorded.json()
    assert body["verdict"] == "refused"
    assert body["reason_codes"] == ["temperature"]
    bad = client.post(
        "/api/v1/screening/screenings/",
        {"unit": tree.nursing_home_a.pk, "temperature": "30.0", **ANSWERS},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "temperature" in bad.json()["error"]["fields"]
    venue = services.venue_code_issue(actor=None, unit=tree.nursing_home_a)
    from shouhu.screening.rules import Facts

    pending = services.declaration_submit(
        venue=venue, visitor_name="访客", visitor_phone="13600136000", facts=Facts(), client_address="x"
    )
    confirmed = client.post(
        f"/api/v1/screening/screenings/{pending.pk}/confirm/",
        {"temperature": "36.4"},
        content_type="application/json",
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["verdict"] == "admitted"
    again = client.post(
        f"/api/v1/screening/screenings/{pending.pk}/confirm/",
        {"temperature": "36.4"},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "declaration_done"
    other = make_institution(tree.county_b)
    refused = client.post(
        "/api/v1/screening/screenings/",
        {"unit": other.pk, "temperature": "36.4", **ANSWERS},
        content_type="application/json",
    )
    assert refused.status_code == 404


def test_isolation_picker_finds_a_person_by_id_number_without_putting_it_in_a_url(client, tree, county_user):
    from shouhu.people.idcard import check_digit

    first17 = "23270019841207117"
    number = first17 + check_digit(first17)
    person = make_person(tree.village_a, "王国庆", id_number=number)
    make_person(tree.village_a, "王国强")
    client.force_login(county_user)
    posted = client.post("/screening/isolations/new/", {"id_number": number})
    assert posted.status_code == 302
    assert number not in posted["Location"]
    assert "id_key=" in posted["Location"]
    found = client.get(posted["Location"]).content.decode()
    assert f"/screening/isolations/new/{person.pk}/" in found
    assert "王国强" not in found
    by_name = client.get("/screening/isolations/new/?q=王国").content.decode()
    assert "王国庆" in by_name
    assert "王国强" in by_name
    missing = client.get("/screening/isolations/new/?q=无此人").content.decode()
    assert "没有找到" in missing


def test_x8_the_isolation_form_reads_in_english(client, tree, county_user):
    person = make_person(tree.village_a, "王国庆")
    client.force_login(county_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/screening/isolations/new/{person.pk}/").content.decode()
    assert "Record isolation: 王国庆" in page
    assert "Centralised isolation" in page
    assert "集中隔离" not in page


# --- Issue 14: nothing preselected, traceable visitors, search by person, labels, English ------

CODE_FIELDS = ("health_code", "itinerary_code", "itinerary_star", "mask")


def checked_radios(html: str) -> dict[str, str]:
    return {
        name: value
        for tag in re.findall(r"<input[^>]*>", html)
        if 'type="radio"' in tag and " checked" in tag
        for name, value in re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', tag)
        if name in CODE_FIELDS
    }


def test_s1_the_desk_preselects_nothing_and_an_unanswered_question_is_an_error_in_chinese(
    client, tree, staff
):
    client.force_login(staff)
    url = f"/screening/desk/{tree.nursing_home_a.pk}/visitor/"
    page = client.get(url).content.decode()
    assert checked_radios(page) == {}
    data = form_defaults(page) | {
        "visitor_name": "访客丁",
        "visitor_phone": "13800138000",
        "temperature": "36.5",
        "health_code": "yellow",
    }
    response = client.post(url, data)
    shown = response.content.decode()
    assert response.status_code == 400
    for message in ("请选择行程码颜色", "请选择行程码是否带星号", "请选择是否佩戴口罩"):
        assert message in shown
    assert "请选择健康码颜色" not in shown
    assert checked_radios(shown) == {"health_code": "yellow"}  # the answer given is kept
    assert 'value="访客丁"' in shown
    assert not Screening.objects.exists()
    # A known person's check asks the same questions.
    person = make_person(tree.nursing_home_a, "刘老汉")
    link = f"/screening/desk/{tree.nursing_home_a.pk}/people/{person.pk}/"
    assert checked_radios(client.get(link).content.decode()) == {}
    refused = client.post(link, form_defaults(client.get(link).content.decode()) | {"temperature": "36.5"})
    assert refused.status_code == 400
    assert "请选择健康码颜色" in refused.content.decode()
    assert not Screening.objects.exists()


def test_s1_a_visitor_entering_an_institution_must_give_name_and_phone(client, tree, staff):
    """Whoever enters an institution can be traced; someone turned away is recorded even unnamed."""
    client.force_login(staff)
    url = f"/screening/desk/{tree.nursing_home_a.pk}/visitor/"
    data = form_defaults(client.get(url).content.decode()) | SEEN_GREEN | {"temperature": "36.5"}
    response = client.post(url, data)
    shown = response.content.decode()
    assert response.status_code == 400
    assert "请填写访客姓名" in shown
    assert "请填写访客手机号" in shown
    assert "未登记姓名的访客" not in shown
    assert client.post(url, data | {"visitor_name": "访客戊", "visitor_phone": "12345"}).status_code == 400
    assert not Screening.objects.exists()
    admitted = client.post(url, data | {"visitor_name": "访客戊", "visitor_phone": "138 0013 8000"})
    assert admitted.status_code == 302
    screening = Screening.objects.get()
    assert (screening.verdict, screening.visitor_name, screening.visitor_phone) == (
        Verdict.ADMITTED,
        "访客戊",
        "13800138000",
    )
    # Refused at the door: recorded for the counts without a name (none enters untraced).
    turned_away = client.post(url, data | {"health_code": "red"})
    assert turned_away.status_code == 302
    assert Screening.objects.filter(verdict=Verdict.REFUSED, visitor_name="").count() == 1
    # The register's people are known already: no name or phone asked.
    person = make_person(tree.nursing_home_a, "刘老汉")
    link = f"/screening/desk/{tree.nursing_home_a.pk}/people/{person.pk}/"
    assert client.post(link, data).status_code == 302


def test_s1_one_persons_visits_are_found_by_name_id_number_or_phone(
    client, tree, county_user, other_county_user
):
    number = "11010519491231002X"
    person = make_person(tree.village_a, "陈秀英", id_number=number, phone="13900139000")
    home = tree.nursing_home_a
    services.screening_record(actor=county_user, unit=home, facts=GREEN, person=person)
    services.screening_record(
        actor=county_user, unit=home, facts=GREEN, visitor_name="陈秀英", visitor_phone="13900139000"
    )
    services.screening_record(
        actor=county_user, unit=home, facts=GREEN, visitor_name="路人甲", visitor_phone="13700137000"
    )
    client.force_login(county_user)

    def found(query: str) -> list[str]:
        page = client.get("/screening/records/", {"q": query}).content.decode()
        table = page[page.index('data-testid="screening-table"') :]
        return sorted(re.findall(r'href="/screening/records/(\d+)/"', table))

    by_phone = found("139 0013 9000")
    assert len(by_phone) == 2  # the register's person by their phone and the visitor who gave it
    assert found(number.lower()) == found(number)
    assert len(found(number)) == 1
    assert len(found("秀英")) == 1  # part of a register name
    assert len(found("陈秀英")) == 2  # and a visitor's whole name
    assert len(found("路人甲")) == 1
    assert found("13600136000") == []
    api = client.get("/api/v1/screening/screenings/", {"search": "13900139000"}).json()
    assert {row["name"] for row in api["results"]} == {"陈秀英"}
    assert len(api["results"]) == 2
    # Scoped like the rest: another county finds nothing.
    client.force_login(other_county_user)
    assert found("13900139000") == []


def test_s1_every_filter_control_of_the_records_list_has_a_label(client, tree, county_user):
    client.force_login(county_user)
    for url in (
        "/screening/records/",
        "/screening/records/daily/",
        "/screening/risk-areas/",
        "/screening/isolations/",
    ):
        page = client.get(url).content.decode()
        form = re.search(r'<form method="get".*?</form>', page, re.S).group(0)
        for tag in re.findall(r"<(?:select|input)[^>]*>", form):
            if 'type="hidden"' in tag:
                continue
            control = re.search(r'id="([^"]+)"', tag).group(1)
            assert f'for="{control}"' in form or "aria-label=" in tag, (url, tag)


def test_s1_screening_choices_and_filters_read_in_english(client, tree, county_user):
    """X8 as well: every screening choice is a translatable label, so the English page shows English."""
    from django.utils.functional import Promise

    from shouhu.screening import models

    for choices in (
        models.HealthCode,
        models.ItineraryCode,
        models.Verdict,
        models.ScreeningSource,
        models.RefusalReason,
        models.RiskLevel,
        models.RecordSource,
    ):
        assert all(isinstance(member.label, Promise) for member in choices), choices
    with translation.override("en"):
        services.screening_record(
            actor=county_user, unit=tree.nursing_home_a, facts=replace(GREEN, health_code="red")
        )
    client.force_login(county_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/screening/records/").content.decode()
    for english in ("Turned away", "Admitted", "Outcome", "Venue", "Date"):
        assert english in page
    assert ">劝返<" not in page
    # What is stored stays in the records' language whatever the clerk reads.
    assert Screening.objects.get().reasons.startswith("健康码为红码")
