"""V1 and E5: doses and their rules, the status they give, and each unit's baseline (底数)."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from shouhu.accounts.tests.factories import make_user
from shouhu.common.errors import ConflictError, DomainError
from shouhu.people.models import Category, Person
from shouhu.vaccination import selectors, services
from shouhu.vaccination.figures import Figures
from shouhu.vaccination.models import VaccinationStatus, VaccineDose
from shouhu.vaccination.tests.factories import (
    CANSINO,
    FULL_SERIES,
    SINOPHARM,
    SINOVAC,
    ZHIFEI,
    ContraindicationFactory,
    DeferralFactory,
    make_person,
    product,
    vaccinate,
)

pytestmark = pytest.mark.django_db


def status_of(person: Person) -> str:
    return selectors.with_status(Person.objects.filter(pk=person.pk)).get().vaccination_status


def test_v1_status_follows_the_doses_and_the_products_schedule(tree):
    person = make_person(tree.village_a)
    assert status_of(person) == VaccinationStatus.NOT_VACCINATED
    vaccinate(person, dt.date(2021, 6, 1))
    assert status_of(person) == VaccinationStatus.IN_PROGRESS
    vaccinate(person, dt.date(2021, 6, 22), first_number=2)
    assert status_of(person) == VaccinationStatus.COMPLETED
    vaccinate(person, dt.date(2021, 12, 20), first_number=3)
    assert status_of(person) == VaccinationStatus.BOOSTER

    single = make_person(tree.village_a)
    vaccinate(single, dt.date(2021, 7, 1), short_name=CANSINO)
    assert status_of(single) == VaccinationStatus.COMPLETED

    three = make_person(tree.village_a)
    vaccinate(three, dt.date(2021, 5, 1), dt.date(2021, 6, 1), short_name=ZHIFEI)
    assert status_of(three) == VaccinationStatus.IN_PROGRESS
    vaccinate(three, dt.date(2021, 7, 1), short_name=ZHIFEI, first_number=3)
    assert status_of(three) == VaccinationStatus.COMPLETED


def test_v1_the_schedule_is_data_editing_a_product_changes_the_status(tree):
    person = make_person(tree.village_a)
    vaccinate(person, dt.date(2021, 5, 1), dt.date(2021, 6, 1), short_name=ZHIFEI)
    assert status_of(person) == VaccinationStatus.IN_PROGRESS
    zhifei = product(ZHIFEI)
    zhifei.doses_for_completion = 2
    zhifei.save()
    assert status_of(person) == VaccinationStatus.COMPLETED


def test_v1_status_as_of_a_day_ignores_later_doses(tree):
    person = make_person(tree.village_a)
    vaccinate(person, *FULL_SERIES)
    people = Person.objects.filter(pk=person.pk)
    assert selectors.with_status(people, as_of=dt.date(2021, 6, 15)).get().vaccination_status == "in_progress"
    assert (
        selectors.with_status(people, as_of=dt.date(2021, 5, 31)).get().vaccination_status == "not_vaccinated"
    )


@pytest.mark.parametrize(
    ("dates", "dose_number", "code", "words"),
    [
        ([], dt.date(1959, 12, 31), "dose_before_birth", "不能早于出生日期（1960-03-08）"),
        ([], dt.date(2022, 1, 6), "dose_in_future", "不能晚于今天（2022-01-05）"),
    ],
)
def test_v1_dose_dates_outside_the_persons_life_are_refused(tree, dates, dose_number, code, words):
    person = make_person(tree.village_a)
    with pytest.raises(DomainError) as refused:
        vaccinate(person, dose_number)
    assert refused.value.code == code
    assert words in refused.value.message
    assert refused.value.field_errors == {"vaccinated_on": [refused.value.message]}
    assert not VaccineDose.objects.exists()


def test_v1_doses_must_come_in_order(tree):
    person = make_person(tree.village_a)
    with pytest.raises(DomainError) as skipped:
        vaccinate(person, dt.date(2021, 6, 1), first_number=2)
    assert skipped.value.code == "dose_out_of_order"
    assert "请先登记第1剂" in skipped.value.message
    vaccinate(person, dt.date(2021, 6, 1))
    with pytest.raises(DomainError) as before_first:
        vaccinate(person, dt.date(2021, 5, 20), first_number=2)
    assert before_first.value.code == "dose_before_previous"
    assert "须晚于第1剂（2021-06-01）" in before_first.value.message
    with pytest.raises(DomainError) as too_soon:
        vaccinate(person, dt.date(2021, 6, 15), first_number=2)
    assert too_soon.value.code == "dose_too_soon"
    assert "仅 14 天" in too_soon.value.message
    assert "至少 21 天" in too_soon.value.message
    assert VaccineDose.objects.filter(person=person).count() == 1


def test_v1_booster_only_where_the_schedule_has_one_and_not_too_soon(tree):
    person = make_person(tree.village_a)
    vaccinate(person, *FULL_SERIES)
    with pytest.raises(DomainError) as early:
        vaccinate(person, dt.date(2021, 10, 1), first_number=3)
    assert early.value.code == "booster_too_soon"
    assert "至少 180 天" in early.value.message
    with pytest.raises(DomainError) as fourth:
        vaccinate(person, dt.date(2021, 12, 30), first_number=4)
    assert fourth.value.code == "dose_out_of_order"
    single = make_person(tree.village_a)
    vaccinate(single, dt.date(2021, 6, 1), short_name=CANSINO)
    with pytest.raises(DomainError) as none:
        vaccinate(single, dt.date(2021, 12, 30), short_name=SINOPHARM, first_number=2)
    assert none.value.code == "no_booster"
    assert "没有加强免疫程序" in none.value.message
    assert VaccineDose.objects.count() == 3


def test_v1_primary_series_keeps_one_vaccine_a_booster_may_differ(tree):
    person = make_person(tree.village_a)
    vaccinate(person, dt.date(2021, 6, 1))
    with pytest.raises(DomainError) as mixed:
        vaccinate(person, dt.date(2021, 7, 1), short_name=ZHIFEI, first_number=2)
    assert mixed.value.code == "dose_mixed_series"
    # Another manufacturer's inactivated vaccine is the same vaccine: it may complete the series.
    vaccinate(person, dt.date(2021, 7, 1), short_name=SINOVAC, first_number=2)
    vaccinate(person, dt.date(2022, 1, 4), short_name=ZHIFEI, first_number=3)
    assert status_of(person) == VaccinationStatus.BOOSTER


def test_v1_recording_the_same_dose_twice_is_unchanged_a_different_one_conflicts(tree):
    person = make_person(tree.village_a)
    first = services.dose_record(
        actor=None, person=person, product=product(), dose_number=1, vaccinated_on=dt.date(2021, 6, 1)
    )
    again = services.dose_record(
        actor=None, person=person, product=product(), dose_number=1, vaccinated_on=dt.date(2021, 6, 1)
    )
    assert first.created
    assert not again.created
    assert again.dose.pk == first.dose.pk
    with pytest.raises(ConflictError) as conflict:
        services.dose_record(
            actor=None, person=person, product=product(), dose_number=1, vaccinated_on=dt.date(2021, 6, 2)
        )
    assert "第1剂已登记（2021-06-01" in conflict.value.message
    assert VaccineDose.objects.count() == 1


def test_v1_unknown_product_is_refused_by_name_and_by_id(client, tree, county_user):
    with pytest.raises(DomainError) as unknown:
        services.product_find(label="辉瑞")
    assert "未知的疫苗产品“辉瑞”" in unknown.value.message
    assert services.product_find(label=" 国药北京生物 ") == product(SINOPHARM)
    assert services.product_find(label="北京科兴中维生物技术有限公司新冠病毒灭活疫苗(Vero细胞)") == product(
        SINOVAC
    )
    person = make_person(tree.village_a)
    client.force_login(county_user)
    response = client.post(
        "/api/v1/vaccination/doses/",
        {"person": person.pk, "product": 987654, "dose_number": 1, "vaccinated_on": "2021-06-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"product": ["未知的疫苗产品"]}
    assert not VaccineDose.objects.exists()


def test_v1_dose_for_a_person_out_of_scope_answers_404_like_a_missing_one(client, tree, county_user):
    foreign = make_person(tree.village_b)
    client.force_login(county_user)
    body = {"person": foreign.pk, "product": product().pk, "dose_number": 1, "vaccinated_on": "2021-06-01"}
    api = client.post("/api/v1/vaccination/doses/", body, content_type="application/json")
    missing = client.post(
        "/api/v1/vaccination/doses/", body | {"person": 987654}, content_type="application/json"
    )
    assert api.status_code == missing.status_code == 404
    assert api.content == missing.content
    page = client.post(
        f"/vaccination/people/{foreign.pk}/doses/new/",
        {"vaccinated_on": "2021-06-01", "product": product().pk, "dose_number": 1},
    )
    assert page.status_code == 404
    assert not VaccineDose.objects.exists()


def test_v1_page_shows_the_refusal_beside_the_field_and_saves_nothing(client, tree, county_user):
    person = make_person(tree.village_a)
    client.force_login(county_user)
    response = client.post(
        f"/vaccination/people/{person.pk}/doses/new/",
        {"vaccinated_on": "2022-02-01", "product": product().pk, "dose_number": 1},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "接种日期不能晚于今天（2022-01-05）" in html
    assert "invalid-feedback" in html
    assert not VaccineDose.objects.exists()


def test_v1_baseline_is_everyone_in_scope_with_completeness(tree):
    completed = make_person(tree.nursing_home_a, categories=(Category.NURSING_HOME_RESIDENT,))
    vaccinate(completed, *FULL_SERIES)
    started = make_person(tree.village_a, categories=(Category.DIBAO,))
    vaccinate(started, dt.date(2021, 12, 20))
    make_person(tree.township_a, categories=(Category.TEKUN, Category.LOW_INCOME))
    unclear = make_person(tree.village_a, categories=(Category.RESCUED,), with_id=False)
    contraindicated = make_person(tree.village_a, categories=(Category.SERVICE_OBJECT,))
    ContraindicationFactory(person=contraindicated)
    deferred = make_person(tree.village_a, categories=(Category.STAFF,))
    DeferralFactory(person=deferred)
    Person.objects.create(name="未列入类别", home_unit=tree.village_a)  # registered, in no category
    dead = make_person(tree.village_a)
    Person.objects.filter(pk=dead.pk).update(deceased_on=dt.date(2021, 12, 1))
    make_person(tree.village_b)  # another county

    figures = selectors.figures_for_unit(unit=tree.county_a)
    assert figures == Figures(
        baseline=6,
        completed=1,
        booster=0,
        in_progress=1,
        not_vaccinated=4,
        contraindicated=1,
        deferred=1,
        unclear=1,
    )
    assert figures.completion_rate == 20.0  # 1 of 6 less the contraindicated one
    assert figures.completeness_rate == 83.3
    assert figures.to_do == 3
    assert not unclear.has_valid_id
    assert selectors.figures_for_unit(unit=tree.county_b).baseline == 1
    assert selectors.figures_for_unit(unit=tree.village_a).baseline == 4


def test_v1_ledger_page_lists_status_and_exports(client, tree, county_user):
    done = make_person(tree.village_a, "全程者")
    vaccinate(done, *FULL_SERIES)
    make_person(tree.village_a, "未接种者")
    make_person(tree.village_a, "无证件者", with_id=False)
    make_person(tree.village_b, "他县人")
    client.force_login(county_user)
    html = client.get("/vaccination/").content.decode()
    assert "全程者" in html
    assert "未接种者" in html
    assert "他县人" not in html
    assert 'data-figure="baseline">3<' in html
    assert 'data-figure="unclear">1<' in html
    assert "身份不清" in html
    only_unclear = client.get("/vaccination/", {"unclear": "on"}).content.decode()
    assert "无证件者" in only_unclear
    assert "全程者" not in only_unclear
    exported = client.get("/vaccination/", {"status": "completed", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(exported.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][7] == "接种状态"
    assert [r[0] for r in rows[1:]] == ["全程者"]
    assert rows[1][7] == "已完成全程"


def test_e5_nursing_home_residents_and_staff_are_the_homes_baseline(client, tree):
    residents = [
        make_person(tree.nursing_home_a, f"老人{i}", categories=(Category.NURSING_HOME_RESIDENT,))
        for i in range(3)
    ]
    staff = make_person(tree.nursing_home_a, "护理员", categories=(Category.STAFF,))
    vaccinate(residents[0], *FULL_SERIES)
    vaccinate(staff, *FULL_SERIES)
    ContraindicationFactory(person=residents[1])
    home_user = make_user("institution_staff", tree.nursing_home_a)
    figures = selectors.figures_for_unit(unit=tree.nursing_home_a)
    assert (figures.baseline, figures.completed, figures.contraindicated) == (4, 2, 1)
    assert [p.name for p in selectors.todo_list(viewer=home_user)] == ["老人2"]
    client.force_login(home_user)
    todo = client.get("/vaccination/todo/").content.decode()
    assert "老人2" in todo
    assert "老人1" not in todo
    assert "护理员" not in todo
    record = client.post(
        f"/vaccination/people/{residents[2].pk}/doses/new/?next=/vaccination/todo/",
        {
            "vaccinated_on": "2022-01-05",
            "product": product(CANSINO).pk,
            "dose_number": 1,
            "place": "院内接种",
        },
    )
    assert record.status_code == 302
    assert record["Location"] == "/vaccination/todo/"
    assert not list(selectors.todo_list(viewer=home_user))


def test_x2_v1_merging_two_records_with_the_same_dose_is_refused_cleanly(tree, county_user):
    from shouhu.people.services import person_merge

    survivor = make_person(tree.village_a)
    duplicate = make_person(tree.village_a, with_id=False)
    for person in (survivor, duplicate):
        services.dose_record(
            actor=None, person=person, product=product(), dose_number=1, vaccinated_on=dt.date(2021, 6, 1)
        )
    with pytest.raises(ConflictError, match="重复或冲突"):
        person_merge(actor=county_user, survivor=survivor, duplicate=duplicate, reason="同一人")
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    assert Person.objects.filter(merged_into__isnull=True).count() == 2
