"""Reads of training sessions and attendance, and the expression modules build coverage with.

A viewer sees the sessions organised by the units of their subtree; a department coordinator
also sees, across the region, the sessions of the modules their department coordinates (as
`accounts.scope` says for every module). Writes are narrower: sessions organised by the
viewer's own unit or a unit below it (`access_session_for_recording`).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from shouhu.accounts.models import User
from shouhu.accounts.scope import sees_whole_region, subtree
from shouhu.common.access import MAX_OBJECT_ID, get_in_scope
from shouhu.common.modules import Module
from shouhu.people import selectors as people_selectors
from shouhu.people.models import Person
from shouhu.training.models import Attendance, TrainingSession

# Name-search results offered on a session's page: a name, not a browse of the register.
# Not a policy threshold.
MAX_CANDIDATES = 20


@dataclass(frozen=True)
class SessionFilters:
    module: str = ""
    unit: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    search: str = ""


def _visible(viewer: User) -> Q:
    if not viewer.is_authenticated or viewer.unit_id is None or viewer.unit is None:
        return Q(pk__in=[])
    wide = [module.value for module in Module if sees_whole_region(viewer, module)]
    if len(wide) == len(Module):
        return Q()
    own = subtree(viewer.unit.path, field="unit")
    return own | Q(module__in=wide) if wide else own


def _writable(viewer: User, *, field: str = "unit") -> Q:
    if not viewer.is_authenticated or viewer.unit_id is None or viewer.unit is None:
        return Q(pk__in=[])
    return subtree(viewer.unit.path, field=field)


def session_list(*, viewer: User, filters: SessionFilters | None = None) -> QuerySet[TrainingSession]:
    filters = filters or SessionFilters()
    sessions = TrainingSession.objects.filter(_visible(viewer))
    if filters.module:
        sessions = sessions.filter(module=filters.module)
    if filters.unit:
        sessions = sessions.filter(unit_id=filters.unit)
    if filters.date_from:
        sessions = sessions.filter(held_on__gte=filters.date_from)
    if filters.date_to:
        sessions = sessions.filter(held_on__lte=filters.date_to)
    if filters.search:
        sessions = sessions.filter(topic__icontains=filters.search.strip())
    return (
        sessions.select_related("unit")
        .annotate(attendee_count=Count("attendances"))
        .order_by("-held_on", "-pk")
    )


def access_session(viewer: User, pk: object) -> TrainingSession:
    return get_in_scope(session_list(viewer=viewer), pk)


def access_session_for_recording(viewer: User, pk: object) -> TrainingSession:
    """A session the viewer may change: organised by their unit or a unit below it."""
    sessions = TrainingSession.objects.filter(_writable(viewer)).select_related("unit")
    return get_in_scope(sessions, pk)


def can_record(viewer: User, session: TrainingSession) -> bool:
    """Whether the viewer's unit is the session's or above it (no query: the unit is at hand)."""
    unit = viewer.unit if viewer.is_authenticated and viewer.unit_id else None
    return unit is not None and session.unit.path.startswith(unit.path)


def attendance_in(session: TrainingSession, pk: object) -> Attendance | None:
    """One line of a session's list (after `access_session_for_recording`); None if it is not."""
    try:
        number = int(str(pk))
    except (TypeError, ValueError):
        return None
    if not 0 < number <= MAX_OBJECT_ID:
        return None
    return attendances_of(session).filter(pk=number).first()


def attendances_of(session: TrainingSession) -> QuerySet[Attendance]:
    """Who attended one session (no viewer check: call after `access_session`)."""
    return (
        Attendance.objects.filter(session=session)
        .select_related("person", "person__home_unit")
        .order_by("role", "person__name", "pk")
    )


# --- Finding the people who attended --------------------------------------------------------


def _eligible(session: TrainingSession) -> Q:
    """People a session may list: registered under its organising unit or a unit below it."""
    return subtree(session.unit.path, field="home_unit")


def attendee_by_document(*, viewer: User, session: TrainingSession, id_number: str) -> Person | None:
    """The one person the viewer sees, under the session's unit, holding this document number;
    None alike for a number nobody holds, one held outside that scope, or one held twice (by two
    kinds of document)."""
    if not id_number.strip():
        return None
    people = people_selectors.person_list(
        viewer=viewer, filters=people_selectors.PersonFilters(id_number=id_number)
    ).filter(_eligible(session))
    found = list(people[:2])
    return found[0] if len(found) == 1 else None


def attendee_by_pk(*, viewer: User, session: TrainingSession, pk: int) -> Person | None:
    """A person picked from the name search, if still one the session may list."""
    people = (
        people_selectors.person_visible(viewer=viewer).select_related("home_unit").filter(_eligible(session))
    )
    return people.filter(pk=pk).first()


def attendee_candidates(*, viewer: User, session: TrainingSession, search: str) -> list[Person]:
    """People by name, among those the session may list, the first few."""
    if not search.strip():
        return []
    people = people_selectors.person_list(
        viewer=viewer, filters=people_selectors.PersonFilters(search=search)
    ).filter(_eligible(session))
    return list(people[:MAX_CANDIDATES])


def eligible_person(session: TrainingSession, person: Person) -> bool:
    """Whether the person is registered under the session's unit (their unit is at hand)."""
    return person.merged_into_id is None and person.home_unit.path.startswith(session.unit.path)


# --- For the modules' coverage pages ----------------------------------------------------------


def attended(
    *,
    person_ref: str = "person_id",
    module: str | None = None,
    roles: Iterable[str] | None = None,
    since: dt.date | None = None,
) -> Exists:
    """Whether the row's person (`person_ref`: the field of the annotated queryset that holds
    the person's id, "pk" for a queryset of people) attended a session — of `module`, in one of
    `roles`, held on or after `since` — each condition only when given.

        roster.annotate(trained=attended(module=Module.COMMUNITY, roles=[Audience.GRID_HEAD]))
    """
    attendances = Attendance.objects.filter(person_id=OuterRef(person_ref))
    if module:
        attendances = attendances.filter(session__module=module)
    if roles is not None:
        attendances = attendances.filter(role__in=list(roles))
    if since is not None:
        attendances = attendances.filter(session__held_on__gte=since)
    return Exists(attendances)
