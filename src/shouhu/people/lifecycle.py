"""What the other modules do when the register learns that a person has died.

A death ends a person's bookings and services in every module (issue 5: "a death ends their
assistance and bookings"). The people app cannot import those modules, so each registers a handler
from its `AppConfig.ready()`; `people.services.person_record_death` calls them all inside its
transaction, so the death and its consequences are saved together or not at all.
"""

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shouhu.accounts.models import User
    from shouhu.people.models import Person

DeathHandler = Callable[..., object]  # handler(*, actor, person, died_on); its result is ignored

_handlers: dict[str, DeathHandler] = {}


def register_death_handler(name: str, handler: DeathHandler) -> None:
    _handlers[name] = handler


def run_death_handlers(*, actor: "User | None", person: "Person", died_on: dt.date) -> None:
    for name in sorted(_handlers):
        _handlers[name](actor=actor, person=person, died_on=died_on)
