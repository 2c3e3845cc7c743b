"""Where non-compliance reports go: an editable list, region-wide (M4)."""

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts.models import AlertDelivery
from shouhu.campaigns.policy import current_policies
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.marriage import selectors, services
from shouhu.marriage.models import MarriagePolicy, NonComplianceReport, RecipientKind, ReportRecipient
from shouhu.marriage.tests.factories import book, make_registry
from shouhu.screening.models import ScreeningPolicy

TODAY_SLOTS = ((14, 15, 1), (15, 16, 1))


@pytest.fixture
def registry(tree, plan_campaign):
    return make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4, slots=TODAY_SLOTS)


def _refuse_a_party(registry):
    clerk = make_user("institution_staff", registry)
    booking = book(registry, services.slots_make(unit=registry, day=clock.today())[0])
    services.counter_check_in(actor=clerk, booking=booking)
    party = booking.parties.get(role="a")
    answers = {
        q.key: not q.refuses_when
        for q in selectors.questions_for(party, *current_policies(MarriagePolicy, ScreeningPolicy))
    }
    services.counter_screen(actor=clerk, booking=booking, party=party, temperature="38.2", answers=answers)
    return NonComplianceReport.objects.get()


def test_m4_a_named_unit_receives_the_reports_instead_of_the_defaults(tree, registry, region_admin):
    region_manager = make_user("region_admin", tree.region)
    county_user = make_user("county_staff", tree.county_a)
    services.report_recipient_add(actor=region_admin, kind=RecipientKind.UNIT, unit=tree.region)
    report = _refuse_a_party(registry)
    inboxes = set(AlertDelivery.objects.filter(alert=report.alert).values_list("user_id", flat=True))
    assert region_manager.pk in inboxes
    assert county_user.pk not in inboxes  # the defaults no longer apply once a list is set


def test_m4_recipient_input_is_checked_and_nothing_saved(tree, region_admin):
    with pytest.raises(DomainError) as no_unit:
        services.report_recipient_add(actor=region_admin, kind=RecipientKind.UNIT)
    assert no_unit.value.field_errors == {"unit": ["指定单位时须选择单位"]}
    with pytest.raises(DomainError) as village:
        services.report_recipient_add(actor=region_admin, kind=RecipientKind.UNIT, unit=tree.village_a)
    assert "unit" in village.value.field_errors
    with pytest.raises(DomainError) as county:  # its handlers could not open other counties' reports
        services.report_recipient_add(actor=region_admin, kind=RecipientKind.UNIT, unit=tree.county_a)
    assert "全区" in county.value.message
    with pytest.raises(DomainError):
        services.report_recipient_add(actor=region_admin, kind="nobody")
    assert not ReportRecipient.objects.exists()
    services.report_recipient_add(actor=region_admin, kind=RecipientKind.COUNTY_BUREAU, unit=tree.region)
    assert ReportRecipient.objects.get().unit is None  # a unit only goes with "指定单位"
    with pytest.raises(ConflictError):
        services.report_recipient_add(actor=region_admin, kind=RecipientKind.COUNTY_BUREAU)
    assert ReportRecipient.objects.count() == 1


def test_m4_recipients_page_edits_for_the_region_and_reads_for_counties(client, tree, region_admin):
    client.force_login(region_admin)
    response = client.post(
        "/marriage/report-recipients/", {"kind": RecipientKind.UNIT, "unit": str(tree.department.pk)}
    )
    assert response.status_code == 302
    recipient = ReportRecipient.objects.get()
    assert recipient.unit == tree.department
    page = client.get("/marriage/report-recipients/").content.decode()
    assert tree.department.name in page
    missing_unit = client.post("/marriage/report-recipients/", {"kind": RecipientKind.UNIT})
    assert missing_unit.status_code == 400
    assert "指定单位时须选择单位" in missing_unit.content.decode()

    county_user = make_user("county_staff", tree.county_a)
    client.force_login(county_user)
    assert client.get("/marriage/report-recipients/").status_code == 200
    assert client.post(f"/marriage/report-recipients/{recipient.pk}/delete/").status_code == 403
    client.force_login(region_admin)
    assert client.post(f"/marriage/report-recipients/{recipient.pk}/delete/").status_code == 302
    assert not ReportRecipient.objects.exists()
    assert client.post(f"/marriage/report-recipients/{recipient.pk}/delete/").status_code == 404


def test_m4_recipients_api(client, tree, region_admin):
    client.force_login(region_admin)
    created = client.post(
        "/api/v1/marriage/report-recipients/new/",
        {"kind": RecipientKind.UNIT, "unit": tree.department.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["unit_name"] == tree.department.name
    listed = client.get("/api/v1/marriage/report-recipients/").json()
    assert [r["id"] for r in listed] == [created.json()["id"]]
    unknown = client.post(
        "/api/v1/marriage/report-recipients/new/",
        {"kind": RecipientKind.UNIT, "unit": 999999},
        content_type="application/json",
    )
    assert unknown.status_code == 400
    assert "未找到该单位" in unknown.content.decode()
    deleted = client.post(f"/api/v1/marriage/report-recipients/{created.json()['id']}/delete/")
    assert deleted.status_code == 204
    assert not ReportRecipient.objects.exists()


def test_m4_the_database_keeps_each_recipient_once(tree):
    from django.db import IntegrityError, transaction

    ReportRecipient.objects.create(kind=RecipientKind.COORDINATORS)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRecipient.objects.create(kind=RecipientKind.COORDINATORS)
    ReportRecipient.objects.create(kind=RecipientKind.UNIT, unit=tree.department)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRecipient.objects.create(kind=RecipientKind.UNIT, unit=tree.department)
    assert ReportRecipient.objects.count() == 2
