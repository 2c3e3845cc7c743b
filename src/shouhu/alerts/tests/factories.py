"""Alerts for the tests, raised through the service so every rule applies."""

from itertools import count

from shouhu.alerts import audience, services
from shouhu.alerts.models import Alert, Severity
from shouhu.orgs.models import OrgUnit

_numbers = count(1)


def raise_alert(
    unit: OrgUnit,
    targets: audience.Audience | None = None,
    *,
    title: str | None = None,
    kind: str = "test.notice",
    severity: str = Severity.INFO,
    dedupe_key: str = "",
    link: str = "",
    body: str = "",
) -> Alert:
    """An alert about `unit`, by default to the bureau of its county."""
    return services.alert_raise(
        source="screening",
        kind=kind,
        title=title or f"测试提醒{next(_numbers)}",
        body=body,
        unit=unit,
        audience=targets if targets is not None else [audience.county_bureau(unit)],
        severity=severity,
        dedupe_key=dedupe_key,
        link=link,
    ).alert
