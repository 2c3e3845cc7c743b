"""Writes to the alerts inbox (X6): raise, read, acknowledge, resolve.

Every function is keyword-only, atomic and audited with its actor. Modules raise alerts with
`alert_raise`; pages and the API only ever change the signed-in user's own delivery, which
they obtained through `selectors.access_delivery`.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.urls import Resolver404, resolve

from shouhu.accounts.models import User
from shouhu.alerts import audience as audiences
from shouhu.alerts.models import Alert, AlertDelivery, Severity
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.errors import ConflictError, DomainError
from shouhu.common.redirects import is_local_path
from shouhu.common.validation import clean
from shouhu.orgs.models import OrgUnit

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
NOBODY_SUFFIX = "（无对应账号，已转地区管理员）"


def clean_link(link: str) -> str:
    """A path of this site (`/vaccination/reports/?period=…`): never another host or scheme."""
    link = link.strip()
    if not link:
        return ""
    local = is_local_path(link)
    if local:
        try:
            resolve(urlsplit(link).path)
        except Resolver404:
            local = False
    if not local:
        raise DomainError(
            "链接须是本系统内的页面路径", code="invalid_link", field_errors={"link": ["链接无效"]}
        )
    return link


@dataclass
class Raised:
    alert: Alert
    created: bool
    recipients: int


@transaction.atomic
def alert_raise(
    *,
    source: str,
    kind: str,
    title: str,
    body: str = "",
    unit: OrgUnit,
    audience: audiences.Audience,
    severity: str = Severity.INFO,
    dedupe_key: str = "",
    link: str = "",
    target: Model | None = None,
    actor: User | None = None,
    check_name: str = "",
) -> Raised:
    """Alert the users the audience names now; the same open `dedupe_key` alerts only once.

    Recipients are resolved at this moment and each gets a delivery of their own. An audience
    that names nobody (a county without accounts yet) goes to the region administrators, so no
    alert is lost; the alert says so.
    """
    if not _IDENTIFIER.match(source) or not _IDENTIFIER.match(kind):
        raise DomainError("提醒的来源和类型须为小写英文标识", code="invalid")
    if not audience:
        raise DomainError("请指明提醒的接收对象", code="invalid_audience")
    dedupe_key = dedupe_key.strip()
    if dedupe_key:
        existing = Alert.objects.select_for_update().filter(dedupe_key=dedupe_key, resolved_at__isnull=True)
        found = existing.first()
        if found is not None:
            return Raised(found, created=False, recipients=0)
    recipients = audiences.resolve(audience)
    label = audiences.describe(audience)
    if not recipients:
        fallback = audiences.region_administrators()
        recipients = audiences.resolve([fallback]) if fallback else []
        label = label[: 300 - len(NOBODY_SUFFIX)] + NOBODY_SUFFIX
    now = clock.now()
    alert = Alert(
        source=source,
        check_name=check_name,
        kind=kind,
        severity=severity,
        title=title.strip()[:200],
        body=body.strip(),
        unit=unit,
        audience_label=label,
        link=clean_link(link),
        dedupe_key=dedupe_key,
        raised_at=now,
        raised_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if target is not None:
        alert.content_type = ContentType.objects.get_for_model(target)
        alert.object_id = target.pk
    clean(alert, validate_unique=False, validate_constraints=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                alert.save()
        except IntegrityError:
            if not dedupe_key:
                raise
            # Another run raised the same condition between our look and our insert.
            found = Alert.objects.get(dedupe_key=dedupe_key, resolved_at__isnull=True)
            return Raised(found, created=False, recipients=0)
        AlertDelivery.objects.bulk_create(
            [AlertDelivery(alert=alert, user=user, delivered_at=now) for user in recipients]
        )
    return Raised(alert, created=True, recipients=len(recipients))


def _own(actor: User, delivery: AlertDelivery) -> None:
    if delivery.user_id != actor.pk:  # callers use access_delivery; this keeps it so
        raise DomainError("只能处理发给自己的提醒", code="not_yours")


@transaction.atomic
def alert_mark_read(*, actor: User, delivery: AlertDelivery) -> AlertDelivery:
    """Mark the actor's copy read (reading twice keeps the first time)."""
    _own(actor, delivery)
    if delivery.read_at is None:
        delivery.read_at = clock.now()
        with acting_as(actor):
            delivery.save(update_fields=["read_at"])
    return delivery


@transaction.atomic
def alert_mark_all_read(*, actor: User) -> int:
    # A bulk update: reading is not audited (see apps.py), so nothing is lost by skipping save().
    return AlertDelivery.objects.filter(user=actor, read_at__isnull=True).update(read_at=clock.now())


@transaction.atomic
def alert_acknowledge(*, actor: User, delivery: AlertDelivery, note: str = "") -> AlertDelivery:
    """The actor confirms they received the alert and are dealing with it, with an optional note."""
    _own(actor, delivery)
    locked = AlertDelivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.acknowledged_at is not None:
        raise ConflictError("该提醒已确认收到", code="already_acknowledged")
    now = clock.now()
    delivery.read_at = locked.read_at or now
    delivery.acknowledged_at = now
    delivery.ack_note = note.strip()
    clean(delivery, validate_unique=False)
    with acting_as(actor):
        delivery.save(update_fields=["read_at", "acknowledged_at", "ack_note"])
    return delivery


@transaction.atomic
def alert_resolve(*, actor: User | None, alert: Alert, note: str) -> Alert:
    """The condition is over: the alert closes and the same dedupe key may alert again later."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.resolved_at is not None:
        return locked
    alert.resolved_at = clock.now()
    alert.resolved_note = note.strip()[:200]
    with acting_as(actor):
        alert.save(update_fields=["resolved_at", "resolved_note"])
    return alert
