"""Change histories as people read them (X3): who, when, and each field's value before and after.

django-auditlog stores every value as the text of the Python value: "None", "True", a choice's
key, a foreign key's primary key, a date and time in UTC, and on creating an object also its
reverse relations ("eldercare.Closure.None"). Its `changes_display_dict` fixes some of this, but
asks the database once per entry for the model and once per foreign key value, and leaves "None",
booleans and relations as they are. Here each entry's `changes_dict` (documented) is read against
the model's fields: the action in the reader's language, booleans as 是/否, nothing as "—",
choices by their label, foreign keys by the related object's name (one query per related model
for the whole page), times in local time. Fields that are no column of the row (reverse
relations), the primary key and the automatic time stamps are left out; a new or deleted object
shows its values without the empty side.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, pgettext

EMPTY = "—"
_NONE = "None"
_LONGEST = 140  # characters of one value, as auditlog's own display truncates

# The names of related objects, by their model and primary key.
_Names = dict[tuple[type[models.Model], Any], str]


@dataclass(frozen=True)
class Change:
    """One field's change. `before` is None for a created object (and `after` for a deleted one):
    there is only one value to show."""

    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class HistoryEntry:
    entry: Any  # auditlog's LogEntry: timestamp, actor, remote_addr, object_repr
    action: str
    changes: list[Change]


def action_label(action: int) -> str:
    from auditlog.models import LogEntry

    labels = {
        LogEntry.Action.CREATE: pgettext("change history", "新建"),
        LogEntry.Action.UPDATE: pgettext("change history", "修改"),
        LogEntry.Action.DELETE: pgettext("change history", "删除"),
        LogEntry.Action.ACCESS: pgettext("change history", "查看"),
    }
    return labels.get(action, str(action))


def readable(entries: Sequence[Any]) -> list[HistoryEntry]:
    """The entries (with their content_type selected) as rows for a history page."""
    plans = {entry.content_type_id: _Model(entry.content_type.model_class()) for entry in entries}
    names = _related_names(entries, plans)
    return [
        HistoryEntry(
            entry=entry,
            action=action_label(entry.action),
            changes=plans[entry.content_type_id].changes(entry, names),
        )
        for entry in entries
    ]


class _Model:
    """How the entries of one model read: its fields, their labels and masks."""

    def __init__(self, model: type[models.Model] | None) -> None:
        from auditlog.diff import get_mask_function
        from auditlog.registry import auditlog

        self.model = model
        self.labels: dict[str, str] = {}
        self.masked_none: dict[str, str] = {}
        if model is not None and auditlog.contains(model):
            options = auditlog.get_model_fields(model)
            self.labels = dict(options["mapping_fields"])
            mask = get_mask_function(options.get("mask_callable"))
            # A masked field's "None" is stored masked too.
            self.masked_none = {name: mask(_NONE) for name in options["mask_fields"]}

    def field(self, name: str) -> Any:
        """The model field `name`, None when the model or the field is gone (shown as stored),
        False when it is not worth showing."""
        if self.model is None:
            return None
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if field.many_to_many:
            return field
        if not field.concrete or getattr(field, "primary_key", False):
            return False
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return False
        return field

    def label(self, name: str, field: Any) -> str:
        if name in self.labels:
            return str(self.labels[name])
        return str(field.verbose_name) if field else name

    def changes(self, entry: Any, names: _Names) -> list[Change]:
        from auditlog.models import LogEntry

        shown: list[Change] = []
        for name, values in entry.changes_dict.items():
            field = self.field(name)
            if field is False:
                continue
            label = self.label(name, field)
            if isinstance(values, dict):  # a many-to-many change: {"type": "m2m", "operation", "objects"}
                shown.append(Change(label, None, _relation_change(values)))
                continue
            if not isinstance(values, list | tuple) or len(values) != 2:
                continue
            before, after = (self.value(name, field, value, names) for value in values)
            if entry.action == LogEntry.Action.CREATE:
                if after != EMPTY:
                    shown.append(Change(label, None, after))
            elif entry.action == LogEntry.Action.DELETE:
                if before != EMPTY:
                    shown.append(Change(label, before, None))
            elif before != after:
                shown.append(Change(label, before, after))
        return shown

    def value(self, name: str, field: Any, raw: Any, names: _Names) -> str:
        if raw is None or raw in ("", _NONE) or raw == self.masked_none.get(name):
            return EMPTY
        text = str(raw)
        if field:
            text = _field_value(field, text, names)
        return text if len(text) <= _LONGEST else text[:_LONGEST] + "…"


def _field_value(field: Any, text: str, names: _Names) -> str:
    if field.choices:
        labels = {str(key): str(label) for key, label in field.flatchoices}
        return labels.get(text, text)
    if isinstance(field, models.BooleanField):
        return {"True": gettext("是"), "False": gettext("否")}.get(text, text)
    if isinstance(field, models.DateTimeField):
        return _local_time(text)
    if field.many_to_one or field.one_to_one:
        key = _related_key(field, text)
        if key is None:
            return text  # stored as the object's name (AUDITLOG_USE_FK_STRING_REPRESENTATION)
        return names.get(key) or gettext("已删除（编号 %(pk)s）") % {"pk": text}
    return text


def _local_time(text: str) -> str:
    """auditlog keeps date-times as naive UTC."""
    try:
        moment = parse_datetime(text)
    except ValueError:
        return text
    if moment is None:
        return text
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _related_key(field: Any, text: str) -> tuple[type[models.Model], Any] | None:
    related = field.related_model
    try:
        return related, related._meta.pk.to_python(text)
    except ValidationError:
        return None


def _related_names(entries: Iterable[Any], plans: dict[int, _Model]) -> _Names:
    """The names of the objects the entries' foreign keys point at: one query per related model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        plan = plans[entry.content_type_id]
        for name, values in entry.changes_dict.items():
            field = plan.field(name)
            if not field or field.choices or not (field.many_to_one or field.one_to_one):
                continue
            if not isinstance(values, list | tuple):
                continue
            for raw in values:
                if raw is not None and raw not in ("", _NONE):
                    key = _related_key(field, str(raw))
                    if key is not None:
                        wanted[key[0]].add(key[1])
    names: _Names = {}
    for related, keys in wanted.items():
        for pk, obj in related._default_manager.in_bulk(keys).items():
            names[related, pk] = str(obj)
    return names


def _relation_change(change: dict[str, Any]) -> str:
    objects = pgettext("list separator", "、").join(str(o) for o in change.get("objects", []))
    if change.get("operation") == "delete":
        return gettext("移除：%(objects)s") % {"objects": objects}
    return gettext("添加：%(objects)s") % {"objects": objects}
