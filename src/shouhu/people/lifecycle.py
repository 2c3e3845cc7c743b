"""What the other modules do when the register learns that a person has died or is isolated.

A death ends a person's bookings and services in every module (issue 5: "a death ends their
assistance and bookings"). The people app cannot import those modules, so each registers a handler
from its `AppConfig.ready()`; `people.services.person_record_death` calls them all inside its
transaction, so the death and its consequences are saved together or not at all. The isolation
register (`screening.services.isolation_record`) calls the isolation handlers in the same way, so
that the assistance app learns of an isolated member without anyone typing it (A2, A9). A
confirmed case (确诊病例) is the register's news too: `isolation_record` with a confirmation date,
or `isolation_mark_confirmed` for a person confirmed later, calls the confirmed-case handlers in
its transaction, once per confirmation (the same date on the person's next record is not news
again), so that confirmed members of 低保/特困/低收入 households get their temporary assistance
looked at (A6). Handlers run sorted by name, whichever app registered first.
"""

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shouhu.accounts.models import User
    from shouhu.people.models import Person

# handler(*, actor, person, starts_on, kind, kind_label, ended_on): a new isolation (ended_on set
# when it is recorded after the fact); end handler(*, actor, person, starts_on, ended_on).
IsolationHandler = Callable[..., object]

DeathHandler = Callable[..., object]  # handler(*, actor, person, died_on); its result is ignored

_handlers: dict[str, DeathHandler] = {}


def register_death_handler(name: str, handler: DeathHandler) -> None:
    _handlers[name] = handler


def run_death_handlers(*, actor: "User | None", person: "Person", died_on: dt.date) -> None:
    for name in sorted(_handlers):
        _handlers[name](actor=actor, person=person, died_on=died_on)


_isolation_handlers: dict[str, IsolationHandler] = {}


def register_isolation_handler(name: str, handler: IsolationHandler) -> None:
    _isolation_handlers[name] = handler


def run_isolation_handlers(
    *,
    actor: "User | None",
    person: "Person",
    starts_on: dt.date,
    kind: str,
    kind_label: str,
    ended_on: dt.date | None,
) -> None:
    for name in sorted(_isolation_handlers):
        _isolation_handlers[name](
            actor=actor,
            person=person,
            starts_on=starts_on,
            kind=kind,
            kind_label=kind_label,
            ended_on=ended_on,
        )


_isolation_end_handlers: dict[str, IsolationHandler] = {}


def register_isolation_end_handler(name: str, handler: IsolationHandler) -> None:
    _isolation_end_handlers[name] = handler


def run_isolation_end_handlers(
    *, actor: "User | None", person: "Person", starts_on: dt.date, ended_on: dt.date
) -> None:
    for name in sorted(_isolation_end_handlers):
        _isolation_end_handlers[name](actor=actor, person=person, starts_on=starts_on, ended_on=ended_on)


# handler(*, actor, person, confirmed_on): the person is a confirmed case since `confirmed_on`.
ConfirmedCaseHandler = Callable[..., object]

_confirmed_case_handlers: dict[str, ConfirmedCaseHandler] = {}


def register_confirmed_case_handler(name: str, handler: ConfirmedCaseHandler) -> None:
    _confirmed_case_handlers[name] = handler


def run_confirmed_case_handlers(*, actor: "User | None", person: "Person", confirmed_on: dt.date) -> None:
    for name in sorted(_confirmed_case_handlers):
        _confirmed_case_handlers[name](actor=actor, person=person, confirmed_on=confirmed_on)
