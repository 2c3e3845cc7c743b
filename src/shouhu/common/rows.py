"""Plain statements for the busiest write paths, with the fields' own value preparation.

A public booking reads its slot and parties and writes persons, the booking, its parties and two
texts: building each statement through the ORM's compiler cost more than the database took to
run it (0.4–0.7 ms against 0.1–0.3 ms). Here the statement text is built once and values are
prepared and converted by the fields themselves, as the ORM would:

- `insert_returning` writes new rows with one INSERT … RETURNING per model and row count; every
  value goes through its field's `pre_save` (auto_now stamps) and `get_db_prep_save`
  (encryption, dates), as `bulk_create` does. Like `bulk_create`, it sends no signals: audit
  with `common.audit.audit_bulk`.
- `select_rows` runs a hand-written SELECT over `columns(model, alias)` and builds instances
  with each field's converters (decryption, SQLite's dates), as a queryset does.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import NOT_PROVIDED, Model

M = TypeVar("M", bound=Model)


_AUTO_KEYS = {"AutoField", "BigAutoField", "SmallAutoField"}
# Values per statement: below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
_PARAMETERS_PER_STATEMENT = 30_000


@functools.cache
def _insert_sql(model: type[Model], rows: int, alias: str) -> tuple[str, list[Any]]:
    quote = connections[alias].ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if any(f.generated or getattr(f, "db_default", NOT_PROVIDED) is not NOT_PROVIDED for f in fields):
        raise TypeError(f"{model.__name__}: columns the database fills in need bulk_create")
    if model._meta.pk is None or model._meta.pk.get_internal_type() not in _AUTO_KEYS:
        raise TypeError(f"{model.__name__}: keys the database does not number need bulk_create")
    row = "({})".format(", ".join(["%s"] * len(fields)))
    # Only quoted table and column names are formatted in; every value is a parameter.
    sql = "INSERT INTO {} ({}) VALUES {} RETURNING {}".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join([row] * rows),
        quote(model._meta.pk.column),
    )
    return sql, fields


def insert_returning(objs: Sequence[M]) -> list[M]:
    """Insert new `objs` of one model with one statement and set their primary keys."""
    if not objs:
        return []
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    _sql, fields = _insert_sql(model, 1, alias)
    per_statement = max(1, _PARAMETERS_PER_STATEMENT // len(fields))
    for start in range(0, len(objs), per_statement):
        chunk = objs[start : start + per_statement]
        sql, _fields = _insert_sql(model, len(chunk), alias)
        params: list[Any] = []
        for obj in chunk:
            obj._prepare_related_fields_for_save(operation_name="insert_returning")  # type: ignore[attr-defined]
            params += [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            keys = cursor.fetchall()
        # SQLite and PostgreSQL return the rows of a multi-row VALUES in the order given.
        for obj, (key,) in zip(chunk, keys, strict=True):
            obj.pk = key
            obj._state.adding, obj._state.db = False, alias
    return list(objs)


@dataclass(frozen=True)
class _Columns:
    sql: str  # `t."col", …`
    attnames: list[str]
    # Per column with converters: its index, the column expression and the converters.
    conversions: list[tuple[int, Any, list[Any]]]


@functools.cache
def _columns(model: type[Model], alias: str, table_alias: str) -> _Columns:
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = list(model._meta.concrete_fields)
    conversions = []
    for index, field in enumerate(fields):
        column = field.get_col(table_alias)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            conversions.append((index, column, converters))
    return _Columns(
        sql=", ".join(f"{table_alias}.{quote(f.column)}" for f in fields),
        attnames=[f.attname for f in fields],
        conversions=conversions,
    )


def columns(model: type[Model], table_alias: str) -> str:
    """`t."col", …` of every concrete field: the SELECT list `select_rows` expects."""
    return _columns(model, router.db_for_read(model), table_alias).sql


def select_rows(sql: str, params: Sequence[Any], *models: tuple[type[Model], str]) -> list[tuple[Any, ...]]:
    """Run a SELECT whose list is `columns(model, table_alias)` of each (model, table_alias) in
    turn; build one instance of each model per row, values converted as the ORM's compiler
    converts them (dates on SQLite, encrypted fields)."""
    alias = router.db_for_read(models[0][0])
    connection = connections[alias]
    plans = [(model, _columns(model, alias, table_alias)) for model, table_alias in models]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    built = []
    for row in rows:
        instances = []
        start = 0
        for model, plan in plans:
            values = list(row[start : start + len(plan.attnames)])
            for index, column, converters in plan.conversions:
                for convert in converters:
                    values[index] = convert(values[index], column, connection)
            instances.append(model.from_db(alias, plan.attnames, values))
            start += len(plan.attnames)
        built.append(tuple(instances))
    return built
