"""V1/V3 through the API: contraindications, deferrals, the mobiliser and contacts."""

import datetime as dt

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.vaccination import selectors
from shouhu.vaccination.models import Contraindication, Deferral, Mobilisation, MobilisationContact
from shouhu.vaccination.tests.factories import make_person

pytestmark = pytest.mark.django_db

API = "/api/v1/vaccination"


def _post(client, url, body, method="post"):
    return getattr(client, method)(url, body, content_type="application/json")


def _todo(viewer):
    return sorted(p.name for p in selectors.todo_list(viewer=viewer))


def test_v1_contraindication_and_deferral_through_the_api_take_people_off_the_todo_list(
    client, tree, county_user
):
    a = make_person(tree.village_a, "张三")
    b = make_person(tree.village_a, "李四")
    client.force_login(county_user)
    assert _todo(county_user) == ["张三", "李四"]

    made = _post(
        client,
        f"{API}/people/{a.pk}/contraindications/",
        {"condition": "严重过敏史", "source": "medical_certificate", "source_detail": "地区人民医院"},
    )
    assert made.status_code == 201, made.json()
    assert (made.json()["condition"], made.json()["noted_on"]) == ("严重过敏史", "2022-01-05")
    deferred = _post(client, f"{API}/people/{b.pk}/deferrals/", {"reason": "近期手术", "until": "2022-01-20"})
    assert deferred.status_code == 201, deferred.json()
    assert _todo(county_user) == []

    again = _post(client, f"{API}/people/{b.pk}/deferrals/", {"reason": "再次", "until": "2022-01-30"})
    assert again.status_code == 409
    assert "已暂缓接种至 2022-01-20" in again.json()["error"]["message"]
    ended = _post(client, f"{API}/deferrals/{deferred.json()['id']}/end/", {})
    assert (ended.status_code, ended.json()["ended_on"]) == (200, "2022-01-05")
    lifted = _post(client, f"{API}/contraindications/{made.json()['id']}/lift/", {"reason": "复查后可接种"})
    assert (lifted.status_code, lifted.json()["lifted_on"]) == (200, "2022-01-05")
    assert _todo(county_user) == ["张三", "李四"]


def test_v1_bad_input_is_a_400_in_chinese_and_nothing_is_saved(client, tree, county_user):
    person = make_person(tree.village_a)
    client.force_login(county_user)
    cases = [
        (f"{API}/people/{person.pk}/contraindications/", {"condition": "过敏", "source": "hearsay"}),
        (f"{API}/people/{person.pk}/contraindications/", {"condition": " ", "source": "medical_certificate"}),
        (
            f"{API}/people/{person.pk}/contraindications/",
            {"condition": "过敏", "source": "medical_certificate", "noted_on": "2022-02-01"},
        ),
        (f"{API}/people/{person.pk}/deferrals/", {"reason": "发热", "until": "2021-12-31"}),
        (f"{API}/people/{person.pk}/deferrals/", {"reason": "发热", "until": "not a date"}),
    ]
    for url, body in cases:
        response = _post(client, url, body)
        assert response.status_code == 400, (body, response.content)
        assert response.json()["error"]["message"]
    late = _post(client, f"{API}/people/{person.pk}/contraindications/", cases[2][1])
    assert late.json()["error"]["message"] == "登记日期不能晚于今天"
    assert not Contraindication.objects.exists()
    assert not Deferral.objects.exists()


def test_v3_mobiliser_and_contacts_through_the_api(client, tree, county_user):
    person = make_person(tree.village_a)
    village_user = make_user("village_staff", tree.village_a)
    foreign_user = make_user("village_staff", tree.village_b)
    client.force_login(county_user)
    url = f"{API}/people/{person.pk}/mobiliser/"

    named = _post(client, url, {"mobiliser_name": "赵医生", "mobiliser_role": "村医"})
    assert named.status_code == 200, named.json()
    assert named.json()["mobiliser_label"] == "赵医生（村医）"
    staff = _post(client, url, {"mobiliser_user": village_user.pk})
    assert (staff.status_code, staff.json()["mobiliser_user"]) == (200, village_user.pk)
    assert Mobilisation.objects.get().mobiliser_user == village_user  # one-to-one: replaced
    both = _post(client, url, {"mobiliser_user": village_user.pk, "mobiliser_name": "赵医生"})
    assert both.status_code == 400
    assert "二者选一" in both.json()["error"]["message"]
    other_county = _post(client, url, {"mobiliser_user": foreign_user.pk})
    assert other_county.status_code == 400
    assert "mobiliser_user" in other_county.json()["error"]["fields"]
    assert Mobilisation.objects.get().mobiliser_user == village_user

    contact = _post(
        client,
        f"{API}/people/{person.pk}/contacts/",
        {
            "contacted_on": "2022-01-04",
            "method": "visit",
            "outcome": "hesitant",
            "next_step": "请村医再讲解",
            "next_contact_on": "2022-01-08",
        },
    )
    assert contact.status_code == 201, contact.json()
    assert contact.json()["mobiliser_label"] == str(village_user)
    backwards = _post(
        client,
        f"{API}/people/{person.pk}/contacts/",
        {
            "contacted_on": "2022-01-04",
            "method": "phone",
            "outcome": "agreed",
            "next_contact_on": "2022-01-01",
        },
    )
    assert backwards.status_code == 400
    assert backwards.json()["error"]["message"] == "下次联系日期不能早于本次联系日期"
    assert MobilisationContact.objects.count() == 1


def test_v3_v1_writes_are_scoped_and_need_the_record_permission(client, tree, county_user, other_county_user):
    person = make_person(tree.village_a)
    item = Contraindication.objects.create(
        person=person, condition="过敏", source="medical_certificate", noted_on=dt.date(2022, 1, 1)
    )
    client.force_login(other_county_user)
    for url, body in [
        (
            f"{API}/people/{person.pk}/contraindications/",
            {"condition": "过敏", "source": "medical_certificate"},
        ),
        (f"{API}/people/{person.pk}/deferrals/", {"reason": "发热", "until": "2022-01-20"}),
        (
            f"{API}/people/{person.pk}/contacts/",
            {"contacted_on": "2022-01-04", "method": "visit", "outcome": "agreed"},
        ),
        (f"{API}/contraindications/{item.pk}/lift/", {"reason": "复查"}),
    ]:
        assert _post(client, url, body).status_code == 404
    assert _post(client, f"{API}/people/{person.pk}/mobiliser/", {"mobiliser_name": "某"}).status_code == 404
    client.force_login(make_user("leader", tree.region))
    denied = _post(client, f"{API}/people/{person.pk}/deferrals/", {"reason": "发热", "until": "2022-01-20"})
    assert denied.status_code == 403
    assert not Deferral.objects.exists()
    assert Contraindication.objects.get().lifted_on is None
