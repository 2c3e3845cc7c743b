"""C4 × F1: a funeral-ceremony suspension (or limit) tells the families of the ceremonies in its
window and the home's staff, once; the case page shows what is in force; a limit met at
registration is shown as a warning."""

import datetime as dt

import pytest
from django.test import TestCase

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts.models import Alert, AlertDelivery
from shouhu.campaigns.models import ServiceType, SuspensionMode
from shouhu.campaigns.services import suspension_create
from shouhu.funerals import services
from shouhu.funerals.models import CeremonySuspensionNotice, CeremonyType, FuneralCase
from shouhu.funerals.tests.factories import DAY, make_case
from shouhu.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _suspend(actor, unit, *, service=ServiceType.FUNERAL_CEREMONY, days=5, **extra):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return suspension_create(
            actor=actor,
            unit=unit,
            service=service,
            starts_on=DAY,
            ends_on=DAY + dt.timedelta(days=days),
            reason="本地出现疫情",
            **extra,
        )


def test_c4_a_funeral_suspension_texts_the_family_and_alerts_the_home_once(
    plan_campaign, tree, home_a, home_staff, county_user
):
    ceremony = make_case(home_a, service_date=DAY + dt.timedelta(days=2), contact_phone="13912345678")
    make_case(home_a, "直接火化", ceremony_type=CeremonyType.NONE, service_date=DAY + dt.timedelta(days=2))
    make_case(home_a, "窗口外", service_date=DAY + dt.timedelta(days=9))
    suspension = _suspend(county_user, tree.county_a)
    texts = list(OutboxMessage.objects.all())
    assert len(texts) == 1
    assert texts[0].phone == "13912345678"
    assert "暂停举办治丧仪式" in texts[0].body
    assert "李长海" in texts[0].body
    alert = Alert.objects.get(kind=services.CEREMONY_SUSPENDED)
    assert alert.unit == home_a
    assert alert.link == f"/funerals/cases/{ceremony.pk}/"
    assert AlertDelivery.objects.filter(alert=alert, user=home_staff).exists()
    assert not AlertDelivery.objects.filter(alert=alert, user=county_user).exists()
    # Once per case and suspension.
    assert services.ceremonies_notify(suspension=suspension) == 0
    assert OutboxMessage.objects.count() == 1
    assert CeremonySuspensionNotice.objects.get().case == ceremony


def test_c4_other_counties_and_other_services_tell_nobody(
    plan_campaign, tree, home_a, county_user, other_county_user
):
    make_case(home_a, service_date=DAY + dt.timedelta(days=2))
    _suspend(other_county_user, tree.county_b)
    _suspend(county_user, tree.county_a, service=ServiceType.MARRIAGE_REGISTRATION)
    assert not OutboxMessage.objects.exists()
    assert not Alert.objects.filter(kind=services.CEREMONY_SUSPENDED).exists()


def test_c4_a_limit_tells_the_family_the_measure(plan_campaign, tree, home_a, county_user):
    make_case(home_a, service_date=DAY + dt.timedelta(days=2))
    _suspend(county_user, tree.county_a, mode=SuspensionMode.LIMITED, limit_note="每日不超过 3 场")
    assert "每日不超过 3 场" in OutboxMessage.objects.get().body


def test_c4_the_case_page_shows_the_suspension_in_force_and_the_notice(
    client, plan_campaign, tree, home_a, county_user
):
    case = make_case(home_a, service_date=DAY + dt.timedelta(days=2))
    client.force_login(county_user)
    assert 'data-testid="suspension"' not in client.get(f"/funerals/cases/{case.pk}/").content.decode()
    _suspend(county_user, tree.county_a)
    page = client.get(f"/funerals/cases/{case.pk}/").content.decode()
    assert 'data-testid="suspension"' in page
    assert "本地出现疫情" in page
    assert "短信告知家属" in page


def test_f1_a_limit_met_at_registration_is_shown_as_a_warning(
    client, plan_campaign, tree, home_a, home_staff
):
    _suspend(
        make_user("county_staff", tree.county_a),
        tree.county_a,
        mode=SuspensionMode.LIMITED,
        limit_note="每日不超过 3 场",
    )
    client.force_login(home_staff)
    done = client.post(
        "/funerals/cases/new/",
        {
            "home": home_a.pk,
            "deceased_name": "刘德胜",
            "died_on": "2022-01-04",
            "ceremony_type": CeremonyType.SIMPLE,
            "service_date": "2022-01-06",
            "attendance": "8",
            "contact_name": "刘春梅",
            "contact_phone": "13712345678",
        },
        follow=True,
    )
    case = FuneralCase.objects.get()
    assert done.redirect_chain[-1][0] == f"/funerals/cases/{case.pk}/"
    page = done.content.decode()
    assert "已登记治丧记录" in page
    assert page.count("每日不超过 3 场") == 2  # the flash warning and the case's own notice


def test_c4_the_case_list_marks_ceremonies_a_suspension_covers_with_constant_queries(
    client, plan_campaign, tree, home_a, county_user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shouhu.campaigns.services import suspension_lift

    inside = make_case(home_a, "窗口内", service_date=DAY + dt.timedelta(days=2))
    make_case(home_a, "直接火化", ceremony_type=CeremonyType.NONE, service_date=DAY + dt.timedelta(days=2))
    make_case(home_a, "窗口外", service_date=DAY + dt.timedelta(days=9))
    limit = _suspend(county_user, tree.county_a, mode=SuspensionMode.LIMITED, limit_note="限 3 场")
    client.force_login(county_user)
    assert 'data-testid="ceremony-suspended"' not in client.get("/funerals/").content.decode()  # a limit
    suspension_lift(actor=county_user, suspension=limit, reason="改为暂停")
    with TestCase.captureOnCommitCallbacks(execute=True):
        suspension = suspension_create(
            actor=county_user,
            unit=tree.county_a,
            service=ServiceType.FUNERAL_CEREMONY,
            starts_on=DAY + dt.timedelta(days=1),
            ends_on=DAY + dt.timedelta(days=5),
            reason="本地出现疫情",
        )

    def marked() -> tuple[list[str], int]:
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/funerals/").content.decode()
        rows = [row for row in page.split("<tr>") if 'data-testid="ceremony-suspended"' in row]
        return [name for name in ("窗口内", "直接火化", "窗口外") if any(name in row for row in rows)], len(
            queries
        )

    names, few = marked()
    assert names == ["窗口内"]
    for number in range(5):
        make_case(home_a, f"又一{number}", service_date=DAY + dt.timedelta(days=9))
    assert marked()[1] == few
    suspension_lift(actor=county_user, suspension=suspension, reason="解除")
    assert inside.service_date > DAY  # lifted today, before the ceremony's day: no longer marked
    assert marked()[0] == []
