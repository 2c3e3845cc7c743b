"""Assistance reminders (A1, A2 × X6), run by `manage.py run_reminders`.

- Households past their standing's visit interval: the village (community) staff are told; once
  the visit is later than the policy's escalation days, the township's staff too (A2).
- Follow-ups of what other modules reported (a member isolated or dead) still open past the
  policy's days: the county bureau is told (早发现、早介入).

Each reminder asks again right before delivery (`still_due`), so a visit or an answer recorded in
between tells nobody.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils.http import urlencode

from shouhu.alerts.audience import county_bureau, unit_staff
from shouhu.alerts.models import Severity
from shouhu.alerts.registry import DueReminder, register_check, register_kind
from shouhu.assistance import selectors
from shouhu.assistance.models import Application, AssistancePolicy, CareTask, FollowUp, Household
from shouhu.assistance.permissions import AssistancePerm
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.modules import Module
from shouhu.orgs.models import OrgUnit

VISITS_OVERDUE = "assistance.visits_overdue"
VISITS_ESCALATED = "assistance.visits_escalated"
FOLLOW_UP_LATE = "assistance.follow_up_late"
ARREARS = "assistance.arrears"
CARE_OVERDUE = "assistance.care_overdue"
APPLICATION_LATE = "assistance.application_late"
NAMES_SHOWN = 10

register_kind(VISITS_OVERDUE, "困难家庭走访逾期")
register_kind(VISITS_ESCALATED, "困难家庭走访逾期（转乡镇督促）")
register_kind(FOLLOW_UP_LATE, "早发现事项逾期未处理")
register_kind(ARREARS, "救助金欠发或少发")
register_kind(CARE_OVERDUE, "居家隔离困难群众照料逾期")
register_kind(APPLICATION_LATE, "低保特困申请逾期未办")


def _overdue_households(village_id: int, today: dt.date, extra_days: int) -> list[Household]:
    policy = current_policy(AssistancePolicy, today)
    late_by = today - dt.timedelta(days=extra_days)
    households = selectors.with_last_seen(Household.objects.filter(unit_id=village_id)).filter(
        selectors.overdue_on(late_by, policy)
    )
    return list(households.annotate(head_name=selectors.head_name()).order_by("pk"))


def _still_overdue(village_id: int, extra_days: int) -> Callable[[], bool]:
    def still_due() -> bool:
        return bool(_overdue_households(village_id, clock.today(), extra_days))

    return still_due


def overdue_visits(today: dt.date) -> Iterator[DueReminder]:
    """One reminder per village with households past their interval; one to its township for the
    households later than the policy's escalation days too."""
    policy = current_policy(AssistancePolicy, today)
    escalation = policy.visit_escalation_days
    late = selectors.with_last_seen(Household.objects.all()).filter(selectors.overdue_on(today, policy))
    villages: dict[int, int] = defaultdict(int)
    for village_id in late.values_list("unit_id", flat=True):
        villages[village_id] += 1
    units = OrgUnit.objects.in_bulk(list(villages))
    for village_id in sorted(villages):
        village = units[village_id]
        link = f"{reverse('assistance:household_list')}?{urlencode({'overdue': 1, 'unit': village_id})}"
        households = _overdue_households(village_id, today, 0)
        names = "、".join(getattr(h, "head_name", None) or f"#{h.pk}" for h in households[:NAMES_SHOWN])
        yield DueReminder(
            source=Module.ASSISTANCE,
            kind=VISITS_OVERDUE,
            title=f"走访逾期：{village.name}（{len(households)}户）",
            body=(
                f"{village.name}有 {len(households)} 户困难家庭超过走访间隔未走访：{names}"
                f"{'等' if len(households) > NAMES_SHOWN else ''}。请尽快入户走访并登记；登记后本提醒即解除。"
            ),
            unit=village,
            audience=[unit_staff(village, code=AssistancePerm.RECORD)],
            dedupe_key=f"{VISITS_OVERDUE}:{village_id}",
            still_due=_still_overdue(village_id, 0),
            link=link,
        )
        escalated = _overdue_households(village_id, today, escalation)
        township = OrgUnit.objects.filter(path=village.path[: 3 * OrgUnit.steplen]).first()
        if escalated and township is not None:
            yield DueReminder(
                source=Module.ASSISTANCE,
                kind=VISITS_ESCALATED,
                title=f"走访逾期超过 {escalation} 天：{village.name}（{len(escalated)}户）",
                body=(
                    f"{village.name}有 {len(escalated)} 户困难家庭走访逾期超过 {escalation} 天，"
                    "请乡镇（街道）督促村（社区）落实走访。"
                ),
                unit=village,
                audience=[unit_staff(township, code=AssistancePerm.RECORD)],
                dedupe_key=f"{VISITS_ESCALATED}:{village_id}",
                still_due=_still_overdue(village_id, escalation),
                severity=Severity.URGENT,
                link=link,
            )


def _follow_up_open(pk: int) -> Callable[[], bool]:
    def still_due() -> bool:
        return FollowUp.objects.filter(pk=pk, closed_at__isnull=True).exists()

    return still_due


def late_follow_ups(today: dt.date) -> Iterator[DueReminder]:
    days = current_policy(AssistancePolicy, today).follow_up_days
    cutoff = clock.start_of(today) - dt.timedelta(days=days - 1)
    late = (
        FollowUp.objects.filter(closed_at__isnull=True, opened_at__lt=cutoff)
        .select_related("household__unit", "person")
        .order_by("pk")
    )
    for follow_up in late:
        village = follow_up.household.unit
        yield DueReminder(
            source=Module.ASSISTANCE,
            kind=FOLLOW_UP_LATE,
            title=f"早发现事项未处理：{village.name} {follow_up.person.name}{follow_up.get_kind_display()}",
            body=(
                f"{village.name}困难家庭成员{follow_up.person.name}于 {follow_up.happened_on}"
                f"{follow_up.get_kind_display()}，发现已超过 {days} 天仍未跟进处理，请及时介入救助。"
            ),
            unit=village,
            audience=[county_bureau(village)],
            dedupe_key=f"{FOLLOW_UP_LATE}:{follow_up.pk}",
            still_due=_follow_up_open(follow_up.pk),
            severity=Severity.URGENT,
            link=reverse("assistance:follow_up_list"),
            target=follow_up,
        )


def _county_in_arrears(county_id: int) -> Callable[[], bool]:
    def still_due() -> bool:
        return selectors.unpaid_payments(today=clock.today()).filter(roll__county_id=county_id).exists()

    return still_due


def arrears(today: dt.date) -> Iterator[DueReminder]:
    """A3: one reminder per county whose payments of a month were not paid in full by the
    policy's pay day (pending, failed, returned or short)."""
    counties = (
        selectors.unpaid_payments(today=today)
        .order_by()
        .values("roll__county_id")
        .annotate(households=Count("household", distinct=True), short=Sum(F("amount") - F("paid_amount")))
    )
    units = OrgUnit.objects.in_bulk([row["roll__county_id"] for row in counties])
    for row in counties:
        county = units[row["roll__county_id"]]
        yield DueReminder(
            source=Module.ASSISTANCE,
            kind=ARREARS,
            title=f"救助金欠发：{county.name}（{row['households']}户）",
            body=(
                f"{county.name}有 {row['households']} 户的救助金过了每月发放截止日仍未足额发放，"
                f"合计少发 {row['short']} 元。请核对银行反馈、重新发放；足额发放后本提醒即解除。"
            ),
            unit=county,
            audience=[county_bureau(county)],
            dedupe_key=f"{ARREARS}:{county.pk}",
            still_due=_county_in_arrears(county.pk),
            severity=Severity.URGENT,
            link=reverse("assistance:arrears"),
        )


def _care_still_overdue(pk: int) -> Callable[[], bool]:
    def still_due() -> bool:
        today = clock.today()
        tasks = selectors.with_last_care(CareTask.objects.filter(pk=pk))
        return tasks.filter(selectors.care_overdue(today, current_policy(AssistancePolicy, today))).exists()

    return still_due


def overdue_care(today: dt.date) -> Iterator[DueReminder]:
    """A9: an isolated 低保/特困 person with no delivery for more than the policy's days — the
    township is told, and the village, whose responsible person does the care."""
    policy = current_policy(AssistancePolicy, today)
    late = (
        selectors.with_last_care(CareTask.objects.all())
        .filter(selectors.care_overdue(today, policy))
        .select_related("household__unit", "person")
        .order_by("pk")
    )
    for task in late:
        village = task.household.unit
        township = OrgUnit.objects.filter(path=village.path[: 3 * OrgUnit.steplen]).first()
        audience = [unit_staff(village, code=AssistancePerm.RECORD)]
        if township is not None:
            audience.append(unit_staff(township, code=AssistancePerm.RECORD))
        yield DueReminder(
            source=Module.ASSISTANCE,
            kind=CARE_OVERDUE,
            title=f"照料逾期：{village.name} {task.person.name}",
            body=(
                f"{village.name}{task.person.name}（{task.isolation}，{task.starts_on}起）已超过 "
                f"{policy.care_delivery_days} 天没有照料送达记录，请及时送去生活物资、药品，保障取暖。"
            ),
            unit=village,
            audience=audience,
            dedupe_key=f"{CARE_OVERDUE}:{task.pk}",
            still_due=_care_still_overdue(task.pk),
            severity=Severity.URGENT,
            link=reverse("assistance:care_list"),
            target=task,
        )


def _application_still_late(pk: int) -> Callable[[], bool]:
    def still_due() -> bool:
        today = clock.today()
        late = selectors.application_late(today, current_policy(AssistancePolicy, today))
        return Application.objects.filter(late, pk=pk).exists()

    return still_due


def late_applications(today: dt.date) -> Iterator[DueReminder]:
    """A4: an application not accepted within the policy's days, or not decided within its days of
    acceptance — the township that takes the steps and the county bureau that decides are told."""
    policy = current_policy(AssistancePolicy, today)
    late = (
        Application.objects.filter(selectors.application_late(today, policy))
        .select_related("household__unit")
        .annotate(head_name=selectors.head_name(field="household"))
        .order_by("pk")
    )
    for application in late:
        village = application.household.unit
        township = OrgUnit.objects.filter(path=village.path[: 3 * OrgUnit.steplen]).first()
        audience = [county_bureau(village)]
        if township is not None:
            audience.append(unit_staff(township, code=AssistancePerm.RECORD))
        yield DueReminder(
            source=Module.ASSISTANCE,
            kind=APPLICATION_LATE,
            title=f"申请逾期：{village.name} {application.head_name or ''}{application.get_standing_display()}申请",
            body=(
                f"{village.name}{application.head_name or ''}户于 {application.applied_on} 申请"
                f"{application.get_standing_display()}，当前环节“{application.get_status_display()}”，"
                f"已超过受理（{policy.application_accept_days} 天）或办结（受理后 "
                f"{policy.application_decision_days} 天）时限。请尽快办理；办理后本提醒即解除。"
            ),
            unit=village,
            audience=audience,
            dedupe_key=f"{APPLICATION_LATE}:{application.pk}",
            still_due=_application_still_late(application.pk),
            severity=Severity.URGENT,
            link=reverse("assistance:application_detail", kwargs={"application_id": application.pk}),
            target=application,
        )


register_check("assistance.late_applications", late_applications)
register_check("assistance.overdue_visits", overdue_visits)
register_check("assistance.overdue_care", overdue_care)
register_check("assistance.arrears", arrears)
register_check("assistance.late_follow_ups", late_follow_ups)
