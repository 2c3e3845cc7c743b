"""Non-compliance reports (M4): raised at the counter, sent where the region says, closed with
their outcome."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.alerts import audience as audiences
from shouhu.alerts.models import Severity
from shouhu.alerts.services import alert_raise, alert_resolve
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.validation import clean, refuse
from shouhu.marriage import selectors
from shouhu.marriage.models import (
    Booking,
    BookingParty,
    CounterCheck,
    NonComplianceReport,
    PartyRole,
    RecipientKind,
    ReportRecipient,
    ReportStatus,
)
from shouhu.marriage.services.bookings import ROLE_LABELS
from shouhu.orgs.models import OrgUnit

NON_COMPLIANCE_ALERT = "marriage.non_compliance"  # its label is registered in apps.py


@transaction.atomic
def report_recipient_add(*, actor: User, kind: str, unit: OrgUnit | None = None) -> ReportRecipient:
    """Add where non-compliance reports go. The first one replaces the defaults (the registry's
    county bureau and the department coordinating marriage), so name them too if they should stay."""
    if kind not in RecipientKind.values:
        raise refuse(_("请选择报告对象"), code="invalid", field="kind")
    if kind != RecipientKind.UNIT:
        unit = None
    elif unit is None:
        raise refuse(_("指定单位时须选择单位"), code="invalid", field="unit")
    elif not selectors.can_receive_reports(unit):
        raise refuse(
            _("报告对象须能查看全区的婚姻登记情况：地区民政局，或统筹婚姻登记工作的科室、事业单位"),
            code="invalid",
            field="unit",
        )
    if selectors.is_report_recipient(kind=kind, unit=unit):
        raise refuse(
            _("该报告对象已在名单中"), code="duplicate", field="unit" if unit else "kind", conflict=True
        )
    recipient = ReportRecipient(kind=kind, unit=unit)
    clean(recipient)
    try:
        with transaction.atomic(), acting_as(actor):
            recipient.save()
    except IntegrityError as error:  # added by someone else since the check above
        raise refuse(
            _("该报告对象已在名单中"), code="duplicate", field="unit" if unit else "kind", conflict=True
        ) from error
    return recipient


@transaction.atomic
def report_recipient_remove(*, actor: User, recipient: ReportRecipient) -> None:
    with acting_as(actor):
        recipient.delete()


def report_raise(
    *, actor: User, booking: Booking, check: CounterCheck, party: BookingParty
) -> NonComplianceReport:
    """Report an ineligible party at once, in the counter's transaction (M4)."""
    targets = selectors.report_targets(booking.unit)
    report = NonComplianceReport(
        unit=booking.unit,
        booking=booking,
        counter_check=check,
        reasons=check.reasons,
        recipients=audiences.describe(targets),
    )
    report.save()
    name = party.name
    raised = alert_raise(
        source="marriage",
        kind=NON_COMPLIANCE_ALERT,
        title=f"{booking.unit.name}：婚姻登记当事人不符合防控要求",
        body=f"{name[:1]}某（{ROLE_LABELS[PartyRole(party.role)]}）{check.reasons}。已不予办理，请跟进处置。",
        unit=booking.unit,
        audience=targets,
        severity=Severity.URGENT,
        dedupe_key=f"marriage.report.{report.pk}",
        link=reverse("marriage:report_detail", kwargs={"marriage_report_id": report.pk}),
        target=report,
        actor=actor,
    )
    report.alert = raised.alert
    report.save(update_fields=["alert", "updated_at"])
    return report


@transaction.atomic
def report_close(*, actor: User, report: NonComplianceReport, outcome: str) -> NonComplianceReport:
    report = NonComplianceReport.objects.select_for_update().get(pk=report.pk)
    if report.status == ReportStatus.CLOSED:
        raise refuse(_("该报告已办结"), code="already_closed", conflict=True)
    if not outcome.strip():
        raise refuse(_("请填写处理结果"), code="invalid", field="outcome")
    report.status = ReportStatus.CLOSED
    report.closed_at = clock.now()
    report.closed_by = actor
    report.outcome = outcome.strip()[:300]
    clean(report)
    with acting_as(actor):
        report.save(update_fields=["status", "closed_at", "closed_by", "outcome", "updated_at"])
    if report.alert is not None:
        alert_resolve(actor=actor, alert=report.alert, note=report.outcome)
    return report
