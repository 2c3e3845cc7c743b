"""F1: funeral cases — simplified ceremonies, no farewell ceremonies, attendance capped, suspended
dates refused, the family's phone masked."""

import datetime as dt
import threading

import pytest
from django.db import connection
from openpyxl import load_workbook

from shouhu.campaigns.models import ServiceSuspension, ServiceType
from shouhu.common.errors import ConflictError, DomainError
from shouhu.funerals import selectors, services
from shouhu.funerals.models import CeremonyType, FuneralCase, FuneralPolicy
from shouhu.funerals.tests.factories import DAY, case_input, make_case
from shouhu.people.models import Person

pytestmark = pytest.mark.django_db


def _counts():
    return FuneralCase.objects.count(), Person.objects.count()


def test_f1_a_case_registers_the_deceased_and_keeps_the_death_date(plan_campaign, home_a, county_user):
    case = make_case(home_a, actor=county_user, deceased_id_number="")
    assert case.deceased.name == "李长海"
    assert case.deceased.home_unit == home_a
    assert case.contact_phone == "13912345678"
    assert case.contact_phone_masked == "139****5678"
    assert selectors.person_deceased_on(case.deceased, dt.date(2022, 1, 4))
    assert not selectors.person_deceased_on(case.deceased, dt.date(2022, 1, 3))


def test_f1_a_registered_person_is_found_by_id_number_and_a_second_case_refused(plan_campaign, home_a, tree):
    from shouhu.people.services import PersonInput, person_register

    number = "232700194501010014"
    person = person_register(
        actor=None, data=PersonInput(name="周国庆", home_unit=tree.village_a, id_number=number)
    ).person
    case = make_case(home_a, "周国庆", deceased_id_number=number)
    assert case.deceased == person
    with pytest.raises(ConflictError) as refused:
        make_case(home_a, "周国庆", deceased_id_number=number)
    assert refused.value.code == "duplicate_case"
    with pytest.raises(DomainError) as mismatch:
        make_case(home_a, "别人", deceased_id_number=number)
    assert "另一姓名" in mismatch.value.message


def test_f1_farewell_ceremonies_are_refused_while_the_policy_says_so(plan_campaign, home_a):
    before = _counts()
    with pytest.raises(DomainError) as refused:
        make_case(home_a, ceremony_type=CeremonyType.FAREWELL)
    assert "不举办遗体告别仪式" in refused.value.message
    assert refused.value.field_errors["ceremony_type"]
    assert _counts() == before
    FuneralPolicy.objects.filter(campaign=plan_campaign).update(farewell_ceremonies_allowed=True)
    assert make_case(home_a, ceremony_type=CeremonyType.FAREWELL).ceremony_type == CeremonyType.FAREWELL


def test_f1_the_policy_of_the_service_date_decides_not_the_booking_date(db, home_a):
    from shouhu.campaigns.services import campaign_create

    # An earlier campaign (still the latest started today) allowed farewells and big funerals;
    # the next one, starting on 2022-01-10, does not.
    earlier = campaign_create(actor=None, starts_on=dt.date(2021, 6, 1))
    FuneralPolicy.objects.filter(campaign=earlier).update(
        farewell_ceremonies_allowed=True, attendance_limit=200
    )
    campaign_create(actor=None, starts_on=dt.date(2022, 1, 10))
    before = _counts()
    inside = dt.date(2022, 1, 12)
    with pytest.raises(DomainError) as farewell:
        make_case(home_a, ceremony_type=CeremonyType.FAREWELL, service_date=inside)
    assert "不举办遗体告别仪式" in farewell.value.message
    with pytest.raises(DomainError) as crowd:
        make_case(home_a, attendance=100, service_date=inside)
    assert crowd.value.field_errors["attendance"]
    assert _counts() == before
    # Held today, under the earlier campaign's rules, the same farewell is accepted.
    assert make_case(home_a, ceremony_type=CeremonyType.FAREWELL).ceremony_type == CeremonyType.FAREWELL


def test_f1_attendance_is_capped_by_the_policy(plan_campaign, home_a):
    limit = plan_campaign.funerals_policy.attendance_limit
    before = _counts()
    with pytest.raises(DomainError) as refused:
        make_case(home_a, attendance=limit + 1)
    assert f"参加人数不能超过 {limit} 人" in refused.value.message
    assert _counts() == before
    assert make_case(home_a, attendance=limit).attendance == limit
    FuneralPolicy.objects.filter(campaign=plan_campaign).update(attendance_limit=limit + 5)
    assert make_case(home_a, "另一位", attendance=limit + 1).attendance == limit + 1


def test_f1_a_ceremony_on_a_suspended_date_is_refused_with_the_reason(plan_campaign, home_a, tree):
    ServiceSuspension.objects.create(
        unit=tree.county_a,
        service=ServiceType.FUNERAL_CEREMONY,
        starts_on=DAY,
        ends_on=DAY + dt.timedelta(days=3),
        reason="本地出现确诊病例",
    )
    before = _counts()
    with pytest.raises(ConflictError) as refused:
        make_case(home_a)
    assert refused.value.code == "service_suspended"
    assert "本地出现确诊病例" in refused.value.message
    assert _counts() == before
    # A direct cremation is not a ceremony: it goes on.
    assert make_case(home_a, ceremony_type=CeremonyType.NONE).pk
    assert make_case(home_a, "次日", service_date=DAY + dt.timedelta(days=4)).pk


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"service_date": dt.date(2021, 12, 20), "died_on": dt.date(2021, 12, 19)},
            "service_date",
            "不能作为新的治丧登记",
        ),
        ({"service_date": dt.date(2022, 1, 3)}, "service_date", "不能早于死亡日期"),
        (
            {"died_on": dt.date(2022, 1, 6), "service_date": dt.date(2022, 1, 7)},
            "died_on",
            "死亡日期不能晚于今天",
        ),
        ({"contact_phone": "12345"}, "contact_phone", ""),
        ({"contact_name": " "}, "contact_name", "请填写家属联系人"),
        ({"deceased_name": ""}, "deceased_name", "请填写逝者姓名"),
        ({"covid_remains": True, "attendance": 0}, "ceremony_type", "直接火化"),
    ],
)
def test_f1_bad_input_is_refused_in_chinese_and_nothing_is_saved(
    plan_campaign, home_a, overrides, field, message
):
    before = _counts()
    with pytest.raises(DomainError) as refused:
        services.case_register(actor=None, home=home_a, data=case_input(**overrides))
    assert field in refused.value.field_errors
    assert message in refused.value.message
    assert _counts() == before


def test_f1_yesterdays_funeral_may_still_be_entered(plan_campaign, home_a):
    assert make_case(home_a, service_date=DAY - dt.timedelta(days=1), died_on=dt.date(2022, 1, 3)).pk


def test_f1_how_late_a_funeral_may_be_entered_is_policy(plan_campaign, home_a):
    three_days_ago = DAY - dt.timedelta(days=3)
    with pytest.raises(DomainError) as refused:
        make_case(home_a, service_date=three_days_ago, died_on=dt.date(2021, 12, 30))
    assert "超过 1 天" in refused.value.field_errors["service_date"][0]
    FuneralPolicy.objects.filter(campaign=plan_campaign).update(late_entry_days=3)
    assert make_case(home_a, service_date=three_days_ago, died_on=dt.date(2021, 12, 30)).pk


def test_f1_a_nursing_home_is_not_a_funeral_home(plan_campaign, tree):
    with pytest.raises(DomainError):
        services.case_register(actor=None, home=tree.nursing_home_a, data=case_input())


def test_f1_the_page_registers_a_case_and_shows_the_advice(client, plan_campaign, home_a, county_user):
    client.force_login(county_user)
    form = client.get("/funerals/cases/new/").content.decode()
    assert "婚事缓办、丧事简办" in form
    assert "暂停遗体告别仪式" in form
    post = {
        "home": home_a.pk,
        "deceased_name": "刘德胜",
        "died_on": "2022-01-04",
        "ceremony_type": CeremonyType.FAREWELL,
        "service_date": "2022-01-06",
        "attendance": "8",
        "contact_name": "刘春梅",
        "contact_phone": "13712345678",
    }
    refused = client.post("/funerals/cases/new/", post)
    assert refused.status_code == 400
    assert "疫情防控期间不举办遗体告别仪式" in refused.content.decode()
    assert not FuneralCase.objects.exists()
    done = client.post("/funerals/cases/new/", {**post, "ceremony_type": CeremonyType.SIMPLE})
    case = FuneralCase.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/funerals/cases/{case.pk}/"
    page = client.get(done["Location"]).content.decode()
    assert "137****5678" in page
    assert "13712345678" not in page
    assert "婚事缓办、丧事简办" in page


def test_f1_the_list_filters_exports_masked_and_counts_queries(
    client, plan_campaign, home_a, county_user, django_assert_max_num_queries
):
    for number in range(12):
        make_case(
            home_a, f"逝者{number}", ceremony_type=CeremonyType.NONE if number % 2 else CeremonyType.SIMPLE
        )
    client.force_login(county_user)
    with django_assert_max_num_queries(12):
        page = client.get("/funerals/")
    assert page.status_code == 200
    assert page.content.decode().count("/funerals/cases/") >= 12
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/funerals/cases/").json()["count"] == 12
    filtered = client.get("/funerals/", {"ceremony_type": CeremonyType.NONE}).content.decode()
    assert "逝者1<" in filtered
    assert "逝者2<" not in filtered
    htmx = client.get("/funerals/", {"q": "逝者3"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results")
    assert "<html" not in htmx.content.decode()
    assert "逝者3" in htmx.content.decode()
    export = client.get("/funerals/", {"export": "xlsx"})
    import io

    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 13
    assert "139****5678" in rows[1]
    assert all("13912345678" not in str(c) for row in rows for c in row)


def test_f1_another_countys_case_answers_404_on_page_and_api(client, plan_campaign, home_b, county_user):
    case = make_case(home_b)
    client.force_login(county_user)
    assert client.get(f"/funerals/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/funerals/cases/{case.pk}/").status_code == 404
    assert client.get("/api/v1/funerals/cases/").json()["count"] == 0


def test_f1_the_api_registers_and_lists_cases(client, plan_campaign, home_a, home_b, county_user):
    client.force_login(county_user)
    body = {
        "home": home_a.pk,
        "deceased_name": "马玉珍",
        "died_on": "2022-01-04",
        "contact_name": "马立新",
        "contact_phone": "13612345678",
        "service_date": "2022-01-05",
        "ceremony_type": "simple",
        "attendance": 5,
    }
    created = client.post("/api/v1/funerals/cases/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["contact_phone"] == "136****5678"
    listed = client.get("/api/v1/funerals/cases/").json()
    assert listed["count"] == 1
    over = client.post(
        "/api/v1/funerals/cases/",
        {**body, "deceased_name": "甲", "attendance": 999},
        content_type="application/json",
    )
    assert over.status_code == 400
    assert "参加人数不能超过" in over.json()["error"]["message"]
    other = client.post(
        "/api/v1/funerals/cases/", {**body, "home": home_b.pk}, content_type="application/json"
    )
    assert other.status_code == 404


def test_f1_a_new_suspension_lists_the_ceremonies_already_booked(plan_campaign, home_a, tree):
    from shouhu.campaigns.selectors import suspension_affected

    make_case(home_a, service_date=DAY + dt.timedelta(days=1))
    make_case(home_a, "直接火化", ceremony_type=CeremonyType.NONE, service_date=DAY + dt.timedelta(days=1))
    suspension = ServiceSuspension(
        unit=tree.county_a, service=ServiceType.FUNERAL_CEREMONY, starts_on=DAY, ends_on=DAY, reason="x"
    )
    assert suspension_affected(suspension) == []
    suspension.ends_on = DAY + dt.timedelta(days=2)
    assert [line for line in suspension_affected(suspension) if "李长海" in line]
    assert not [line for line in suspension_affected(suspension) if "直接火化" in line]


def test_f1_roles_decide_who_reads_and_who_writes(client, plan_campaign, home_a, home_b, tree, region_admin):
    from shouhu.accounts.tests.factories import make_user

    case_b = make_case(home_b, "乙县逝者")
    township = make_user("township_staff", tree.township_a)
    client.force_login(township)
    assert client.get("/funerals/").status_code == 403
    assert client.get("/api/v1/funerals/cases/").status_code == 403
    client.force_login(region_admin)
    assert client.get(f"/funerals/cases/{case_b.pk}/").status_code == 200
    assert client.get("/funerals/cases/new/").status_code == 403
    refused = client.post(
        f"/api/v1/funerals/ppe/{home_a.pk}/receipts/",
        {"item": "gloves", "quantity": 1},
        content_type="application/json",
    )
    assert refused.status_code == 403
    coordinator = make_user("department_coordinator", tree.department)  # coordinates 殡葬服务
    client.force_login(coordinator)
    assert client.get("/api/v1/funerals/cases/").json()["count"] == 1


# --- Date bounds (the policy's span between death and funeral) --------------------------------


def test_f1_a_service_date_beyond_the_policys_span_is_refused(plan_campaign, home_a):
    span = plan_campaign.funerals_policy.max_days_after_death
    before = _counts()
    for service_date in (DAY + dt.timedelta(days=span + 1), dt.date(9999, 12, 31)):
        with pytest.raises(DomainError) as refused:
            make_case(home_a, service_date=service_date)
        assert f"距今天不能超过 {span} 天" in refused.value.field_errors["service_date"][0]
    assert _counts() == before
    assert make_case(home_a, died_on=DAY, service_date=DAY + dt.timedelta(days=span)).pk


def test_f1_a_death_long_before_the_funeral_is_refused_as_a_typo(plan_campaign, home_a):
    span = plan_campaign.funerals_policy.max_days_after_death
    before = _counts()
    for died_on in (dt.date(2002, 1, 4), dt.date(1, 1, 1), DAY - dt.timedelta(days=span + 1)):
        with pytest.raises(DomainError) as refused:
            make_case(home_a, deceased_id_number="", died_on=died_on)
        assert f"死亡日期早于治丧日期超过 {span} 天" in refused.value.field_errors["died_on"][0]
    assert _counts() == before
    assert make_case(home_a, died_on=DAY - dt.timedelta(days=span)).pk


def test_f1_the_span_between_death_and_funeral_is_policy(plan_campaign, home_a):
    late = DAY - dt.timedelta(days=40)
    with pytest.raises(DomainError):
        make_case(home_a, died_on=late)
    FuneralPolicy.objects.filter(campaign=plan_campaign).update(max_days_after_death=60)
    assert make_case(home_a, died_on=late).pk


def test_f1_impossible_dates_are_field_errors_on_page_and_api(client, plan_campaign, home_a, home_staff):
    client.raise_request_exception = False
    client.force_login(home_staff)
    post = {
        "home": home_a.pk,
        "deceased_name": "王德胜",
        "died_on": "2022-01-04",
        "ceremony_type": CeremonyType.SIMPLE,
        "service_date": "9999-12-31",
        "attendance": "0",
        "contact_name": "王家属",
        "contact_phone": "13912345678",
    }
    for ceremony in (CeremonyType.SIMPLE, CeremonyType.NONE):
        page = client.post("/funerals/cases/new/", {**post, "ceremony_type": ceremony})
        assert page.status_code == 400
        # The calendar's last day never reaches the service: every form bounds its dates.
        assert "日期须在 1900-01-01 至 2100-12-31 之间" in page.content.decode()
        page = client.post(
            "/funerals/cases/new/", {**post, "ceremony_type": ceremony, "service_date": "2100-12-31"}
        )
        assert "治丧日期距今天不能超过" in page.content.decode()
    page = client.post(
        "/funerals/cases/new/", {**post, "service_date": "2022-01-05", "died_on": "0001-01-01"}
    )
    assert page.status_code == 400
    assert "日期须在 1900-01-01 至 2100-12-31 之间" in page.content.decode()
    page = client.post(
        "/funerals/cases/new/", {**post, "service_date": "2022-01-05", "died_on": "1900-01-01"}
    )
    assert "死亡日期早于治丧日期超过" in page.content.decode()
    api = client.post(
        "/api/v1/funerals/cases/",
        {**post, "service_date": "9999-12-31", "attendance": 0},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert "service_date" in str(api.json())
    assert not FuneralCase.objects.exists()


# --- The register by ID number: no oracle on other counties (404 alike) -----------------------

OTHER_COUNTY_ID = "232700194501010014"


def test_f1_an_id_number_from_another_county_gets_one_neutral_refusal(
    client, plan_campaign, tree, home_a, home_staff
):
    from shouhu.people.services import PersonInput, person_register

    person_register(
        actor=None, data=PersonInput(name="周国庆", home_unit=tree.village_b, id_number=OTHER_COUNTY_ID)
    )
    client.force_login(home_staff)
    post = {
        "home": home_a.pk,
        "deceased_id_number": OTHER_COUNTY_ID,
        "died_on": "2022-01-04",
        "ceremony_type": CeremonyType.NONE,
        "service_date": "2022-01-05",
        "attendance": "0",
        "contact_name": "周家属",
        "contact_phone": "13912345678",
    }
    wrong = client.post("/funerals/cases/new/", {**post, "deceased_name": "张冒名"}).content.decode()
    right = client.post("/funerals/cases/new/", {**post, "deceased_name": "周国庆"}).content.decode()
    assert "另一姓名" not in wrong
    assert "该证件号码无法在本机构关联登记，请联系地区民政局办理" in wrong
    assert "该证件号码无法在本机构关联登记，请联系地区民政局办理" in right
    assert not FuneralCase.objects.exists()
    assert Person.objects.get(id_index__isnull=False).deceased_on is None


def test_f1_a_resident_of_the_homes_own_county_is_still_linked_by_id_number(
    client, plan_campaign, tree, home_a, home_staff
):
    from shouhu.people.services import PersonInput, person_register

    person = person_register(
        actor=None, data=PersonInput(name="周国庆", home_unit=tree.village_a, id_number=OTHER_COUNTY_ID)
    ).person
    with pytest.raises(DomainError) as mismatch:
        services.case_register(
            actor=home_staff, home=home_a, data=case_input("别人", deceased_id_number=OTHER_COUNTY_ID)
        )
    assert "另一姓名" in mismatch.value.message
    case = services.case_register(
        actor=home_staff, home=home_a, data=case_input("周国庆", deceased_id_number=OTHER_COUNTY_ID)
    )
    assert case.deceased == person


def test_f1_two_clerks_registering_the_same_new_deceased_hear_that_the_case_exists(
    plan_campaign, home_a, monkeypatch
):
    """The loser of the race does not see the winner's person at its first look-up; the register's
    unique number then refuses it. It should hear "已有治丧记录", not "该证件号码已登记"."""
    from shouhu.people.services import person_find_by_document

    make_case(home_a, "周国庆", deceased_id_number=OTHER_COUNTY_ID)
    calls = []

    def first_look_misses(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else person_find_by_document(**kwargs)

    def insert_collides(**kwargs):
        # What the register answers when the other clerk's insert committed first.
        raise ConflictError("该证件号码已登记", code="duplicate_person")

    monkeypatch.setattr(services, "person_find_by_document", first_look_misses)
    monkeypatch.setattr(services, "person_register", insert_collides)
    with pytest.raises(ConflictError) as refused:
        make_case(home_a, "周国庆", deceased_id_number=OTHER_COUNTY_ID)
    assert refused.value.code == "duplicate_case"
    assert "周国庆已有治丧记录" in refused.value.message


# --- Policy conflicts and advice --------------------------------------------------------------


def test_f1_covid_remains_with_a_farewell_hear_direct_cremation_first(plan_campaign, home_a):
    with pytest.raises(DomainError) as refused:
        make_case(home_a, covid_remains=True, ceremony_type=CeremonyType.FAREWELL, attendance=0)
    assert refused.value.field_errors["ceremony_type"] == ["新冠肺炎患者遗体须就近直接火化，不举办治丧仪式"]


def test_f1_a_farewell_registered_before_the_ban_is_flagged_on_list_and_detail(
    client, plan_campaign, home_a, county_user
):
    FuneralPolicy.objects.filter(campaign=plan_campaign).update(farewell_ceremonies_allowed=True)
    farewell = make_case(
        home_a, "告别", ceremony_type=CeremonyType.FAREWELL, service_date=DAY + dt.timedelta(days=1)
    )
    make_case(home_a, "简办", ceremony_type=CeremonyType.SIMPLE, service_date=DAY + dt.timedelta(days=1))
    client.force_login(county_user)
    assert "与现行政策不符" not in client.get("/funerals/").content.decode()
    assert "与现行政策不符" not in client.get(f"/funerals/cases/{farewell.pk}/").content.decode()
    FuneralPolicy.objects.filter(campaign=plan_campaign).update(farewell_ceremonies_allowed=False)
    listed = client.get("/funerals/").content.decode()
    assert listed.count('data-testid="against-policy"') == 1
    assert "与现行政策不符" in client.get(f"/funerals/cases/{farewell.pk}/").content.decode()


def test_f1_the_list_shows_progress_against_the_workflows_length(client, plan_campaign, home_a, county_user):
    from shouhu.funerals.tests.factories import make_covid_case

    make_covid_case(home_a)
    client.force_login(county_user)
    assert "已完成 0/4" in client.get("/funerals/").content.decode()


def test_f1_a_long_unbroken_name_wraps_on_the_case_page(client, plan_campaign, home_a, county_user):
    case = make_case(home_a, "W" * 50, deceased_id_number="")
    client.force_login(county_user)
    page = client.get(f"/funerals/cases/{case.pk}/").content.decode()
    assert 'breadcrumb-item active text-break min-w-0">' + "W" * 50 in page  # min-width: 0 (site.css)
    assert '<h1 class="h5 text-break">' + "W" * 50 in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_f1_two_clerks_at_once_registering_the_same_new_deceased(tree):
    from shouhu.funerals.tests.factories import make_home

    home = make_home(tree.county_a)
    results: list[str] = []
    barrier = threading.Barrier(3)

    def register():
        try:
            barrier.wait()
            make_case(home, "周国庆", deceased_id_number=OTHER_COUNTY_ID)
            results.append("ok")
        except DomainError as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["duplicate_case", "duplicate_case", "ok"]
    assert FuneralCase.objects.count() == 1
