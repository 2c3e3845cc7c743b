"""Audit context and entries for services.

django-auditlog records before/after on every save of a registered model, with the actor and the
address its `set_actor` gives it. Our `AuditMiddleware` gives it the request's user and address;
API calls authenticated by token get their user only inside the view, so services name the actor
themselves (`acting_as`) and keep the request's address, which this module holds for them.

Set-based writes (bulk_create, bulk_update, rows not registered with auditlog) send no signals:
`audit_bulk` and `audit_record` build the entries auditlog would have written, with its own diff,
and `LogEntry.objects.bulk_create` writes them. Only what django-auditlog documents is used:
`set_actor`, `get_cid`, `disable_auditlog` (honoured through its receivers' `check_disable`),
`LogEntry`, `auditlog.diff` and the registry's methods.

`serialized_data` stays empty: no model is registered with `serialize_data=True` (a test says so),
and auditlog's serializer for it is private.
"""

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from auditlog.context import set_actor
from django.utils import timezone

HISTORY_LIMIT = 200

# Values per INSERT: below PostgreSQL's 65,535 parameters and SQLite's usual 32,766 (bulk_create
# also keeps to what the SQLite connection allows, common/sqlite).
_PARAMETERS_PER_STATEMENT = 30_000

# The address and port of the request being handled, for entries made in its name.
_request_address: contextvars.ContextVar[tuple[str | None, int | None]] = contextvars.ContextVar(
    "audit_request_address", default=(None, None)
)

# Entries of `audit_bulk` and `audit_record` calls made inside `audit_batch`, written at its end.
_batched: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar("audit_batched", default=None)


def _audit_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@contextlib.contextmanager
def request_context(*, actor: Any, remote_addr: str | None, remote_port: int | None) -> Iterator[None]:
    """What a request's changes are audited with: its user (None when anonymous) and address,
    for auditlog's own entries and ours, until the block ends (`AuditMiddleware`)."""
    token = _request_address.set((remote_addr, remote_port))
    try:
        with set_actor(_audit_user(actor), remote_addr=remote_addr, remote_port=remote_port):
            yield
    finally:
        _request_address.reset(token)


@contextlib.contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    """Saves inside the block are audited in `actor`'s name, with the request's address."""
    remote_addr, remote_port = _request_address.get()
    with set_actor(_audit_user(actor), remote_addr=remote_addr, remote_port=remote_port):
        yield


@contextlib.contextmanager
def audit_batch() -> Iterator[None]:
    """Collect the entries of every `audit_bulk` and `audit_record` inside the block and write them
    with one statement at its end: a booking audits new persons and its texts in one round trip.
    Use it inside the transaction; when the block raises, nothing is written. Nested blocks join
    the outer one. Do not catch a rolled-back savepoint's error inside the block: its entries would
    still be written."""
    if _batched.get() is not None:
        yield
        return
    pending: list[Any] = []
    token = _batched.set(pending)
    try:
        yield
    finally:
        _batched.reset(token)
    _save(pending)


def history_of(*objects: Any) -> list[Any]:
    """The audit entries of some objects, newest first, as a history page shows them
    (`common.history.HistoryEntry`): one query for the entries, one per model their foreign keys
    name."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from shouhu.common.history import readable

    condition = Q(pk__in=[])
    for obj in objects:
        condition |= Q(content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk))
    entries = LogEntry.objects.filter(condition).select_related("actor", "content_type")
    return readable(list(entries.order_by("-timestamp", "-pk")[:HISTORY_LIMIT]))


def audit_bulk(
    *,
    actor: Any,
    created: Sequence[Any] = (),
    updated: Sequence[tuple[Any, Any, Sequence[str]]] = (),
) -> int:
    """The audit entries django-auditlog writes on save(), for objects written in bulk.

    bulk_create and bulk_update send no signals, so set-based writes (large imports) log here:
    one entry per created object and one per (before, after, changed fields) of an updated
    one, with auditlog's own diff (its include/exclude and mask settings), `actor` and the
    request's address and correlation id. Joins an open `audit_batch`. Returns the entries made.
    """
    from auditlog.diff import model_instance_diff
    from auditlog.models import DEFAULT_OBJECT_REPR, LogEntry
    from auditlog.registry import auditlog
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.core.exceptions import ObjectDoesNotExist
    from django.utils.encoding import smart_str

    if not _auditing():
        return 0
    shared = _shared_fields(actor)
    as_json = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
    entries: list[Any] = []

    def add(action: int, obj: Any, changes: dict[str, Any] | None) -> None:
        if not changes:
            return
        try:
            object_repr = smart_str(obj)
        except ObjectDoesNotExist:
            object_repr = DEFAULT_OBJECT_REPR
        get_additional_data = getattr(obj, "get_additional_data", None)
        entries.append(
            LogEntry(
                content_type_id=ContentType.objects.get_for_model(obj).pk,
                object_pk=str(obj.pk),
                object_id=obj.pk if isinstance(obj.pk, int) else None,
                object_repr=object_repr,
                action=action,
                changes=changes,
                additional_data=get_additional_data() if callable(get_additional_data) else None,
                **shared,
            )
        )

    plans: dict[type, list[tuple[Any, Callable[[str], str] | None]] | None] = {}
    for obj in created:
        model = type(obj)
        if model not in plans:
            plans[model] = _creation_plan(model) if auditlog.contains(model) else None
        plan = plans[model]
        if plan is None:
            continue
        if as_json:
            add(LogEntry.Action.CREATE, obj, model_instance_diff(None, obj, use_json_for_changes=True))
        else:
            add(LogEntry.Action.CREATE, obj, _creation_diff(obj, plan))
    for before, after, fields in updated:
        if auditlog.contains(type(after)):
            changes = model_instance_diff(before, after, fields_to_check=fields, use_json_for_changes=as_json)
            add(LogEntry.Action.UPDATE, after, changes)
    _write(entries)
    return len(entries)


def audit_record(*, actor: Any, obj: Any, action: int, changes: dict[str, Any], object_repr: str) -> None:
    """One entry for `obj`, whether or not its model is registered with auditlog: for rows not
    audited on every save (bookings the public makes by the thousand) whose change by a staff
    member must still name them. `changes`: field -> [before, after] as text. Joins an open
    `audit_batch` (no statement of its own then)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    if not _auditing():
        return
    entry = LogEntry(
        content_type_id=ContentType.objects.get_for_model(obj).pk,
        object_pk=str(obj.pk),
        object_id=obj.pk if isinstance(obj.pk, int) else None,
        object_repr=object_repr,
        action=action,
        changes=changes,
        additional_data=None,
        **_shared_fields(actor),
    )
    _write([entry])


def _auditing() -> bool:
    """False inside auditlog's `disable_auditlog()`, as its own receivers decide it."""
    from auditlog.receivers import check_disable

    allowed: list[bool] = []
    check_disable(allowed.append)(True)
    return bool(allowed)


def _shared_fields(actor: Any) -> dict[str, Any]:
    """What every entry of one call shares: the actor, the request's address and correlation id,
    and the time (one stamp, as save() gives each entry its own of the same moment)."""
    from auditlog.cid import get_cid

    user = _audit_user(actor)
    remote_addr, remote_port = _request_address.get()
    return {
        "actor_id": user.pk if user else None,
        "actor_email": getattr(user, "email", None) if user else None,
        "remote_addr": remote_addr,
        "remote_port": remote_port,
        "cid": get_cid(),
        "timestamp": timezone.now(),
        # Given, not left to the fields' defaults: looking those up costs more than the rest.
        "id": None,
        "serialized_data": None,
        "changes_text": "",
    }


def _write(entries: list[Any]) -> None:
    batched = _batched.get()
    if batched is not None:
        batched.extend(entries)
    else:
        _save(entries)


def _save(entries: list[Any]) -> None:
    if not entries:
        return
    from auditlog.models import LogEntry

    columns = sum(1 for field in LogEntry._meta.concrete_fields if not field.primary_key)
    LogEntry.objects.bulk_create(entries, batch_size=_PARAMETERS_PER_STATEMENT // columns)


# For a new object auditlog diffs every tracked field against None, which it renders "None"
# (its get_field_value(None, …) falls back to no default). The fields to compare and their
# masks depend on the model only, so bulk audits work them out once per model.
_NEW = "None"


def _creation_plan(model: type) -> list[tuple[Any, Callable[[str], str] | None]]:
    from auditlog.diff import get_mask_function, track_field
    from auditlog.registry import auditlog

    options = auditlog.get_model_fields(model)
    include, exclude = options["include_fields"], options["exclude_fields"]
    fields = [
        f
        for f in model._meta.get_fields()  # type: ignore[attr-defined]
        if track_field(f) and (not include or f.name in include) and f.name not in exclude
    ]
    mask = get_mask_function(options.get("mask_callable"))
    return [(f, mask if f.name in options["mask_fields"] else None) for f in fields]


def _creation_diff(obj: Any, plan: list[tuple[Any, Callable[[str], str] | None]]) -> dict[str, Any] | None:
    from auditlog.diff import get_field_value
    from django.utils.encoding import smart_str

    diff: dict[str, Any] = {}
    for field, mask in plan:
        value = get_field_value(obj, field)
        if value != _NEW:
            diff[field.name] = (mask(_NEW), mask(smart_str(value))) if mask else (_NEW, smart_str(value))
    return diff or None
