"""Dates, years and numbers from a request, bounded before anything uses them.

Python's dates end at 9999-12-31 and start at 0001-01-01: one day added to the last, or taken
from the first, raises OverflowError, and so does a timezone shift of a datetime near either
end; SQLite refuses integers past 64 bits and PostgreSQL past its column's range. A request can
carry any of these. So every date, datetime, year and number a page, a filter or the API reads
goes through this module and is refused, with a Chinese field error, unless it lies in a sane
range: no record of the bureau is dated before 1900 or after 2100, and a number fits the column
it is meant for.

- Forms: `DateField`, `DateTimeField`, `YearField`, `IntegerField` here instead of Django's;
  model forms take theirs from `formfield` (`Meta.formfield_callback`), the admin's
  from `BoundedAdminMixin`.
- The API: `ApiDateField`, `ApiDateTimeField`, `ApiIntegerField`, and `BoundedModelSerializer`.
- A bare query parameter (a page that has no filter form): `query_day`, `query_year`, which
  raise `InvalidQuery` (400, with the message, on pages and in the API).
- A date typed in an imported file: `parse_typed_day`.

`common/tests/test_bounds.py` finds every form and serializer of the project and fails on a
date or number field that is not bounded, so a new one cannot slip past.
"""

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from rest_framework import serializers

# Not policy values: the span in which any date of the bureau's records can lie (the oldest
# resident's birth, the last year anyone will plan for), far from both ends of Python's calendar.
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)
EARLIEST_YEAR = EARLIEST_DAY.year
LATEST_YEAR = LATEST_DAY.year

# What an integer column holds (IntegerField on both databases); ids are BigAutoFields.
INTEGER_MIN = -(2**31)
INTEGER_MAX = 2**31 - 1


def _day_message() -> str:
    return gettext("日期须在 %(earliest)s 至 %(latest)s 之间") % {
        "earliest": EARLIEST_DAY.isoformat(),
        "latest": LATEST_DAY.isoformat(),
    }


def _year_message() -> str:
    return gettext("年份须在 %(earliest)s 至 %(latest)s 之间") % {
        "earliest": EARLIEST_YEAR,
        "latest": LATEST_YEAR,
    }


def day_in_bounds(day: dt.date) -> bool:
    if isinstance(day, dt.datetime):
        day = day.date()
    return EARLIEST_DAY <= day <= LATEST_DAY


def check_day(day: dt.date) -> dt.date:
    """`day`, or a ValidationError (code `out_of_range`) naming the accepted span."""
    if not day_in_bounds(day):
        raise ValidationError(_day_message(), code="out_of_range")
    return day


def parse_typed_day(text: str, patterns: tuple[str, ...] | list[str]) -> dt.date | None:
    """A date typed in a file in one of `patterns` (strptime), inside the accepted span; else None."""
    for pattern in patterns:
        try:
            day = dt.datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007  a date, no time
        except ValueError:
            continue
        return day if day_in_bounds(day) else None
    return None


def parse_day(raw: object) -> dt.date | None:
    """An ISO date (2022-01-05) inside the accepted span; anything else is None."""
    if not isinstance(raw, str) or not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return day if day_in_bounds(day) else None


# --- Forms -----------------------------------------------------------------------------------


class DateField(forms.DateField):
    """A form date inside [EARLIEST_DAY, LATEST_DAY]; the date picker is told the same span."""

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        return check_day(day) if day is not None else None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", "") == "date":
            attrs.setdefault("min", EARLIEST_DAY.isoformat())
            attrs.setdefault("max", LATEST_DAY.isoformat())
        return attrs


class DateTimeField(forms.DateTimeField):
    """A form datetime whose day lies inside the accepted span."""

    def to_python(self, value: Any) -> dt.datetime | None:
        # The day as typed, in its own zone: saving shifts it to UTC, which overflows near year 1.
        moment = super().to_python(value)
        if moment is not None:
            check_day(moment.date())
        return moment


class IntegerField(forms.IntegerField):
    """A form integer that fits an integer column unless narrower bounds are given."""

    def __init__(
        self, *, min_value: int | None = INTEGER_MIN, max_value: int | None = INTEGER_MAX, **kwargs: Any
    ):
        super().__init__(
            min_value=INTEGER_MIN if min_value is None else min_value,
            max_value=INTEGER_MAX if max_value is None else max_value,
            **kwargs,
        )


class YearField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", EARLIEST_YEAR)
        kwargs.setdefault("max_value", LATEST_YEAR)
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not EARLIEST_YEAR <= value <= LATEST_YEAR:
            raise ValidationError(_year_message(), code="out_of_range")


def _limits(field: models.Field) -> tuple[Any, Any]:
    """The narrowest bounds a model field's own validators set (the database's range included)."""
    low = high = None
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            limit = validator.limit_value() if callable(validator.limit_value) else validator.limit_value
            low = limit if low is None else max(low, limit)
        elif isinstance(validator, MaxValueValidator):
            limit = validator.limit_value() if callable(validator.limit_value) else validator.limit_value
            high = limit if high is None else min(high, limit)
    return low, high


def formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """`formfield_callback` for model forms: bounded dates, and integers within their validators."""
    if isinstance(field, models.DateTimeField):
        return field.formfield(form_class=DateTimeField, **kwargs)
    if isinstance(field, models.DateField):
        return field.formfield(form_class=DateField, **kwargs)
    if isinstance(field, models.IntegerField) and not field.choices:
        low, high = _limits(field)
        return field.formfield(
            form_class=IntegerField,
            min_value=INTEGER_MIN if low is None else low,
            max_value=INTEGER_MAX if high is None else high,
            **kwargs,
        )
    return field.formfield(**kwargs)


class SplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date-and-time pair, bounded like `DateTimeField`."""

    def compress(self, data_list: tuple[dt.date, dt.time] | None) -> dt.datetime | None:
        moment = super().compress(data_list)
        if moment is not None:
            check_day(moment.date())
        return moment


class BoundedAdminMixin:
    """For ModelAdmin and inline classes: the admin's date widgets on bounded form fields, and
    integers within their model field's validators."""

    formfield_overrides: ClassVar[Mapping[type[models.Field], Mapping[str, Any]]] = {
        models.DateField: {"form_class": DateField},
        models.DateTimeField: {"form_class": SplitDateTimeField},
    }

    def formfield_for_dbfield(
        self, db_field: models.Field, request: Any, **kwargs: Any
    ) -> forms.Field | None:
        if isinstance(db_field, models.IntegerField) and not db_field.choices:
            low, high = _limits(db_field)
            kwargs.setdefault("min_value", INTEGER_MIN if low is None else low)
            kwargs.setdefault("max_value", INTEGER_MAX if high is None else high)
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]


# --- The API ---------------------------------------------------------------------------------


class ApiDateField(serializers.DateField):
    def to_internal_value(self, value: Any) -> dt.date:
        day = super().to_internal_value(value)
        if not day_in_bounds(day):
            raise serializers.ValidationError(_day_message(), code="out_of_range")
        return day


class ApiDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value: Any) -> dt.datetime:
        try:
            moment = super().to_internal_value(value)
        except OverflowError:
            # DRF makes a naive value aware in the server's zone: near year 1 that overflows.
            raise serializers.ValidationError(_day_message(), code="out_of_range") from None
        if not day_in_bounds(moment.date()):
            raise serializers.ValidationError(_day_message(), code="out_of_range")
        return moment


class ApiIntegerField(serializers.IntegerField):
    """An integer of the API that fits an integer column unless narrower bounds are given."""

    def __init__(self, **kwargs: Any) -> None:
        if kwargs.get("min_value") is None:
            kwargs["min_value"] = INTEGER_MIN
        if kwargs.get("max_value") is None:
            kwargs["max_value"] = INTEGER_MAX
        super().__init__(**kwargs)


class BoundedModelSerializer(serializers.ModelSerializer):
    """A model serializer whose dates are bounded like the declared ones (DRF already takes an
    integer's bounds from the model field's validators, the column's range among them)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: ApiDateField,
        models.DateTimeField: ApiDateTimeField,
    }


# --- Bare query parameters -------------------------------------------------------------------


class InvalidQuery(BadRequest):
    """A query parameter that cannot be used: 400 with `message` (pages) or the error body (API)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    @property
    def field_errors(self) -> dict[str, list[str]]:
        return {self.field: [self.message]}


def _raw(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    text = str(value).strip() if value is not None else ""
    return text or None


def query_day(params: Mapping[str, Any], name: str, *, label: str) -> dt.date | None:
    """The date in `params[name]`; None when absent or empty; InvalidQuery when it is not one."""
    raw = _raw(params, name)
    if raw is None:
        return None
    day = parse_day(raw)
    if day is None:
        raise InvalidQuery(name, f"{label}：{gettext('日期格式应为 2022-01-05')}，{_day_message()}")
    return day


def query_year(params: Mapping[str, Any], name: str = "year", *, label: str) -> int | None:
    """A year within [EARLIEST_YEAR, LATEST_YEAR] in `params[name]`; None when absent or empty."""
    raw = _raw(params, name)
    if raw is None:
        return None
    if not (re.fullmatch(r"[0-9]{4}", raw) and EARLIEST_YEAR <= int(raw) <= LATEST_YEAR):
        raise InvalidQuery(name, f"{label}：{_year_message()}")
    return int(raw)
