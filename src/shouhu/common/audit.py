"""Audit context for services.

django-auditlog records before/after on every save of a registered model. Its middleware
knows the session user and the IP, but API calls authenticated by token get their user only
inside the view, so services name the actor themselves and keep the request's address.
"""

import contextlib
import contextvars
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from auditlog.context import auditlog_value, set_actor
from django.utils import timezone


@contextlib.contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    try:
        current = auditlog_value.get()
    except LookupError:
        current = {}
    with set_actor(
        actor if getattr(actor, "is_authenticated", False) else None,
        remote_addr=current.get("remote_addr"),
        remote_port=current.get("remote_port"),
    ):
        yield


HISTORY_LIMIT = 200

# Entries of `audit_bulk` calls made inside `audit_batch`, waiting to be inserted together.
_batched: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar(
    "audit_batched", default=None
)


@contextlib.contextmanager
def audit_batch() -> Iterator[None]:
    """Collect the entries of every `audit_bulk` inside the block and insert them with one
    statement at its end: a booking audits new persons and its texts in one round trip. Use it
    inside the transaction; when the block raises, nothing is inserted. Nested blocks join the
    outer one. Do not catch a rolled-back savepoint's error inside the block: its entries would
    still be inserted."""
    if _batched.get() is not None:
        yield
        return
    pending: list[dict[str, Any]] = []
    token = _batched.set(pending)
    try:
        yield
    finally:
        _batched.reset(token)
    if pending:
        from auditlog.models import LogEntry

        _insert(LogEntry, pending)


def history_of(*objects: Any) -> list[Any]:
    """The audit entries of some objects, newest first, for an object's history page."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    condition = Q(pk__in=[])
    for obj in objects:
        condition |= Q(content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk))
    return list(
        LogEntry.objects.filter(condition).select_related("actor").order_by("-timestamp")[:HISTORY_LIMIT]
    )


def audit_bulk(
    *,
    actor: Any,
    created: Sequence[Any] = (),
    updated: Sequence[tuple[Any, Any, Sequence[str]]] = (),
) -> int:
    """The audit entries django-auditlog writes on save(), for objects written in bulk.

    bulk_create and bulk_update send no signals, so set-based writes (large imports) log here:
    one entry per created object and one per (before, after, changed fields) of an updated
    one, with auditlog's own diff (its include/exclude and mask settings), the actor and the
    request's address as `acting_as` gives them. The entries are inserted with multi-row
    statements: LogEntry objects and bulk_create cost more than the diffs.
    """
    from auditlog.context import auditlog_disabled
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry
    from auditlog.registry import auditlog
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.utils.encoding import smart_str

    if auditlog_disabled.get():
        return 0
    common = _shared_fields(actor)
    as_json = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
    entries: list[dict[str, Any]] = []

    def add(action: int, obj: Any, changes: dict[str, Any] | None) -> None:
        if not changes or not auditlog.contains(type(obj)):
            return
        get_additional_data = getattr(obj, "get_additional_data", None)
        entries.append(
            {
                "content_type_id": ContentType.objects.get_for_model(obj).pk,
                "object_pk": str(obj.pk),
                "object_id": obj.pk if isinstance(obj.pk, int) else None,
                "object_repr": smart_str(obj),
                "serialized_data": LogEntry.objects._get_serialized_data_or_none(obj),
                "action": action,
                "changes": changes,
                "additional_data": get_additional_data() if callable(get_additional_data) else None,
            }
        )

    plans: dict[type, list[tuple[Any, Callable[[str], str] | None]]] = {}
    for obj in created:
        if as_json:
            add(LogEntry.Action.CREATE, obj, model_instance_diff(None, obj, use_json_for_changes=True))
            continue
        model = type(obj)
        if model not in plans:
            plans[model] = _creation_plan(model) if auditlog.contains(model) else []
        add(LogEntry.Action.CREATE, obj, _creation_diff(obj, plans[model]))
    for before, after, fields in updated:
        changes = model_instance_diff(before, after, fields_to_check=fields, use_json_for_changes=as_json)
        add(LogEntry.Action.UPDATE, after, changes)
    _write(entries, common)
    return len(entries)


def audit_record(*, actor: Any, obj: Any, action: int, changes: dict[str, Any], object_repr: str) -> None:
    """One entry for `obj`, whether or not its model is registered with auditlog: for rows not
    audited on every save (bookings the public makes by the thousand) whose change by a staff
    member must still name them. `changes`: field -> [before, after] as text. Joins an open
    `audit_batch` (no statement of its own then)."""
    from auditlog.context import auditlog_disabled
    from django.contrib.contenttypes.models import ContentType

    if auditlog_disabled.get():
        return
    entry = {
        "content_type_id": ContentType.objects.get_for_model(obj).pk,
        "object_pk": str(obj.pk),
        "object_id": obj.pk if isinstance(obj.pk, int) else None,
        "object_repr": object_repr,
        "serialized_data": None,
        "action": action,
        "changes": changes,
        "additional_data": None,
    }
    _write([entry], _shared_fields(actor))


def _shared_fields(actor: Any) -> dict[str, Any]:
    """What every entry of one call shares: the actor and the request's address and id."""
    from auditlog.cid import get_cid

    try:
        context = auditlog_value.get()
    except LookupError:
        context = {}
    user = actor if getattr(actor, "is_authenticated", False) else None
    return {
        "actor_id": user.pk if user else None,
        "actor_email": getattr(user, "email", None) if user else None,
        "remote_addr": context.get("remote_addr"),
        "remote_port": context.get("remote_port"),
        "cid": get_cid(),
        "timestamp": timezone.now(),  # LogEntry's own default, as save() would stamp it
        "changes_text": "",
    }


def _write(entries: list[dict[str, Any]], common: dict[str, Any]) -> None:
    from auditlog.models import LogEntry

    batched = _batched.get()
    rows = [{**entry, **common} for entry in entries]
    if batched is not None:
        batched.extend(rows)
    elif rows:
        _insert(LogEntry, rows)


# Columns whose Python values (None, int, str) go to the database driver as they are.
_PLAIN_COLUMNS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "TextField",
}
# Values that compare by value, so one of them can stand for a whole column.
_SCALARS = (type(None), bool, int, str, dt.datetime)


# Values per statement: below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
_PARAMETERS_PER_STATEMENT = 30_000


# psycopg parses a statement again on every call once it has more parameters than this.
_CACHED_STATEMENT_PARAMETERS = 50


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT rows (values by attname) with multi-row statements, values prepared as bulk_create
    would. A small batch whose columns share values (the actor, the request's address, …) sends
    each shared value once, by name: a clerk's booking made 75 parameters with fifteen columns of
    five entries, and psycopg parses a statement of more than 50 again on every call. Large batches
    (imports) keep one positional parameter per value: naming 30,000 of them costs more."""
    from django.db import connections, router

    connection = connections[router.db_for_write(model)]
    names = list(rows[0])
    fields = [model._meta.get_field(name) for name in names]
    plain = [field.get_internal_type() in _PLAIN_COLUMNS for field in fields]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns_sql = ", ".join(quote(f.column) for f in fields)

    def prepare(value: Any, field: Any, is_plain: bool) -> Any:
        return value if is_plain else field.get_db_prep_save(value, connection)

    first = rows[0]
    same = [
        isinstance(first[name], _SCALARS)
        and all(type(row[name]) is type(first[name]) and row[name] == first[name] for row in rows)
        for name in names
    ]
    named = sum(same) + (len(names) - sum(same)) * len(rows)
    columns = list(zip(names, fields, plain, same, strict=True))
    if named <= _CACHED_STATEMENT_PARAMETERS < len(names) * len(rows):
        # "(%(c0r{row})s, %(c1)s, …)": the shared columns by their one name, the others by row.
        row_sql = "({})".format(
            ", ".join(f"%(c{i})s" if is_same else f"%(c{i}r{{row}})s" for i, is_same in enumerate(same))
        )
        params: dict[str, Any] = {}
        for i, (name, field, is_plain, is_same) in enumerate(columns):
            for number, row in enumerate(rows[:1] if is_same else rows):
                params[f"c{i}" if is_same else f"c{i}r{number}"] = prepare(row[name], field, is_plain)
        values_sql = ", ".join(row_sql.format(row=number) for number in range(len(rows)))
        with connection.cursor() as cursor:
            # Only quoted names and parameter names are formatted in; every value is a parameter.
            cursor.execute(f"INSERT INTO {table} ({columns_sql}) VALUES {values_sql}", params)  # noqa: S608
        return
    # Shared values are prepared once, the others row by row.
    once = {
        name: prepare(first[name], field, is_plain) for name, field, is_plain, is_same in columns if is_same
    }
    per_statement = max(1, _PARAMETERS_PER_STATEMENT // len(names))
    row_sql = "({})".format(", ".join(["%s"] * len(names)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            values = [
                once[name] if is_same else prepare(row[name], field, is_plain)
                for row in chunk
                for name, field, is_plain, is_same in columns
            ]
            # Only quoted table and column names are formatted in; every value is a parameter.
            sql = f"INSERT INTO {table} ({columns_sql}) VALUES {', '.join([row_sql] * len(chunk))}"  # noqa: S608
            cursor.execute(sql, values)


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
