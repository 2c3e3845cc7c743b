"""Person-register reminders (X1 × X6), run by `manage.py run_reminders`.

- A registration conflict still open: whoever can see both sides resolves it — the county bureau
  when the person and the unit that asked lie in one county, the region administrators otherwise.
  Resolving it resolves the alert at the next run.
"""

import datetime as dt
from collections.abc import Callable, Iterator

from django.urls import reverse

from shouhu.alerts.audience import county_bureau, region_administrators
from shouhu.alerts.models import Severity
from shouhu.alerts.registry import DueReminder, register_check, register_kind
from shouhu.people.models import ConflictStatus, RegistrationConflict

CONFLICT_OPEN = "people.registration_conflict"

register_kind(CONFLICT_OPEN, "人员登记冲突待处理")


def _still_open(conflict_id: int) -> Callable[[], bool]:
    def still_due() -> bool:
        return RegistrationConflict.objects.filter(pk=conflict_id, status=ConflictStatus.OPEN).exists()

    return still_due


def open_conflicts(today: dt.date) -> Iterator[DueReminder]:
    region = region_administrators()
    conflicts = (
        RegistrationConflict.objects.filter(status=ConflictStatus.OPEN)
        .select_related("person__home_unit", "requested_unit")
        .order_by("pk")
    )
    for conflict in conflicts:
        home, asked = conflict.person.home_unit, conflict.requested_unit
        same_county = home.county_path() is not None and home.county_path() == asked.county_path()
        audience = [county_bureau(home)] if same_county else ([region] if region else [])
        if not audience:
            continue
        yield DueReminder(
            source="people",
            kind=CONFLICT_OPEN,
            title=f"人员登记冲突：{asked.name}申请登记",
            body=(
                f"{asked.name}申请登记的证件已在{home.name}登记，申请单位无权查看，"
                "请核实后转入申请单位或说明不予转入的理由。"
            ),
            unit=asked,
            audience=audience,
            dedupe_key=f"{CONFLICT_OPEN}:{conflict.pk}",
            still_due=_still_open(conflict.pk),
            severity=Severity.WARNING,
            link=reverse("people:conflict_resolve", kwargs={"registration_conflict_id": conflict.pk}),
            target=conflict,
        )


register_check(CONFLICT_OPEN, open_conflicts)
