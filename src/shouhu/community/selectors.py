"""Reads of the community app, scoped to what the viewer may see.

A village's staff see their village, a township's its villages, a county's every village of the
county; region-wide roles (and a department coordinating the task) see every county. Writes —
the roster, checkpoints, the plan, supplies — are limited to the viewer's own subtree.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree, unit_scope
from shouhu.campaigns.policy import current_policy
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.common.today import Tally
from shouhu.community.models import (
    TRAINED_ROLES,
    Checkpoint,
    ClosurePlan,
    CommunityPolicy,
    DutyCheck,
    EmergencyState,
    FieldVisit,
    PlanPost,
    RosterMember,
    RosterRole,
    SupplyItem,
    SupplyMovement,
    SupplyStock,
)
from shouhu.orgs.models import OrgUnit, UnitKind


def community_scope(viewer: User, *, field: str = "village") -> Q:
    return unit_scope(viewer, field=field, module=Module.COMMUNITY)


def own_subtree(viewer: User, *, field: str) -> Q:
    """Where the viewer may write: their own unit's subtree, whatever they may read."""
    unit = viewer.unit if viewer.is_authenticated else None
    if unit is None:
        return Q(pk__in=[])
    return subtree(unit.path, field=field)


# --- Villages ----------------------------------------------------------------------------------


def _villages() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind=UnitKind.VILLAGE)


def _role_count(role: str) -> Coalesce:
    people = (
        RosterMember.objects.filter(village=OuterRef("pk"), role=role)
        .order_by()
        .values("village")
        .annotate(n=Count("person", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(people, output_field=IntegerField()), Value(0))


def _responsible_count() -> Coalesce:
    people = (
        RosterMember.objects.filter(village=OuterRef("pk"), is_responsible=True)
        .order_by()
        .values("village")
        .annotate(n=Count("person", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(people, output_field=IntegerField()), Value(0))


def _filled(required: dict[str, int]) -> Q:
    condition = Q(n_responsible__gte=1)
    for role, least in required.items():
        condition &= Q(**{f"n_{role}__gte": least})
    return condition


def with_roster_counts(villages: QuerySet[OrgUnit], *, required: dict[str, int]) -> QuerySet[OrgUnit]:
    """`villages` with `n_<role>` (people per required role), `n_responsible` and `open_emergency`."""
    open_state = EmergencyState.objects.filter(village=OuterRef("pk"), ended_at__isnull=True)
    return villages.annotate(
        **{f"n_{role}": _role_count(role) for role in required},
        n_responsible=_responsible_count(),
        open_emergency=Exists(open_state),
    )


def roster_gaps(village: Any, *, required: dict[str, int]) -> list[str]:
    """What a village's roster lacks (from `with_roster_counts`): each required role short of its
    minimum, and the 两委 responsible when none is named."""
    gaps = []
    for role, least in required.items():
        have = getattr(village, f"n_{role}")
        if have < least:
            label = RosterRole(role).label
            gaps.append(f"{label}（{have}/{least}）" if least > 1 else str(label))
    if village.n_responsible < 1:
        gaps.append("两委负责人")
    return gaps


@dataclass(frozen=True)
class VillageFilters:
    search: str = ""
    township: int | None = None
    gaps_only: bool = False
    emergency_only: bool = False


def village_list(*, viewer: User, filters: VillageFilters | None = None) -> QuerySet[OrgUnit]:
    """The viewer's villages with their roster counts and whether they are in emergency state."""
    filters = filters or VillageFilters()
    required = current_policy(CommunityPolicy).required_roles()
    villages = _villages().filter(community_scope(viewer, field=""))
    if filters.search:
        villages = villages.filter(name__icontains=filters.search.strip())
    if filters.township:
        township = OrgUnit.objects.filter(pk=filters.township, kind=UnitKind.TOWNSHIP).first()
        villages = villages.filter(subtree(township.path)) if township else villages.none()
    villages = with_roster_counts(villages, required=required)
    if filters.gaps_only:
        villages = villages.exclude(_filled(required))
    if filters.emergency_only:
        open_state = EmergencyState.objects.filter(village=OuterRef("pk"), ended_at__isnull=True)
        villages = villages.filter(Exists(open_state))
    return villages.order_by("path")


def township_choices(*, viewer: User) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(community_scope(viewer, field=""), kind=UnitKind.TOWNSHIP).order_by("path")


def access_village(viewer: User, pk: object) -> OrgUnit:
    return get_in_scope(_villages().filter(community_scope(viewer, field="")), pk)


def access_village_for_recording(viewer: User, pk: object) -> OrgUnit:
    return get_in_scope(_villages().filter(own_subtree(viewer, field="")), pk)


def village_writable(viewer: User, village: OrgUnit) -> bool:
    unit = viewer.unit if viewer.is_authenticated else None
    return unit is not None and village.path.startswith(unit.path)


def township_of(village: OrgUnit) -> OrgUnit | None:
    return OrgUnit.objects.filter(path=village.path[: 3 * OrgUnit.steplen], kind=UnitKind.TOWNSHIP).first()


# --- Roster (G2) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterFilters:
    search: str = ""
    village: int | None = None
    role: str = ""


def roster_list(*, viewer: User, filters: RosterFilters | None = None) -> QuerySet[RosterMember]:
    filters = filters or RosterFilters()
    members = RosterMember.objects.filter(community_scope(viewer))
    if filters.search:
        members = members.filter(person__name__icontains=filters.search.strip())
    if filters.village:
        members = members.filter(village_id=filters.village)
    if filters.role:
        members = members.filter(role=filters.role)
    return members.select_related("village", "person").order_by("village__path", "role", "pk")


def roster_of(village: OrgUnit) -> QuerySet[RosterMember]:
    return RosterMember.objects.filter(village=village).select_related("person").order_by("role", "pk")


def access_roster_member(viewer: User, pk: object) -> RosterMember:
    return get_in_scope(roster_list(viewer=viewer), pk)


def access_roster_member_for_recording(viewer: User, pk: object) -> RosterMember:
    members = RosterMember.objects.filter(own_subtree(viewer, field="village"))
    return get_in_scope(members.select_related("village", "person"), pk)


def village_roster_counts(village: OrgUnit) -> tuple[list[str], OrgUnit]:
    """The gaps of one village's roster (and the village, annotated)."""
    required = current_policy(CommunityPolicy).required_roles()
    annotated = with_roster_counts(_villages().filter(pk=village.pk), required=required).get()
    return roster_gaps(annotated, required=required), annotated


# --- Checkpoints and the plan (G4/G6) ------------------------------------------------------


def checkpoints_of(village: OrgUnit) -> QuerySet[Checkpoint]:
    staff = Prefetch("staff", queryset=RosterMember.objects.select_related("person").order_by("pk"))
    return Checkpoint.objects.filter(village=village).prefetch_related(staff).order_by("name")


def access_checkpoint_for_recording(viewer: User, pk: object) -> Checkpoint:
    return get_in_scope(
        Checkpoint.objects.filter(own_subtree(viewer, field="village")).select_related("village"), pk
    )


def plan_of(village: OrgUnit) -> ClosurePlan | None:
    return ClosurePlan.objects.filter(village=village).first()


def posts_of(plan: ClosurePlan | None) -> list[PlanPost]:
    if plan is None:
        return []
    members = Prefetch("members", queryset=RosterMember.objects.select_related("person").order_by("pk"))
    return list(PlanPost.objects.filter(plan=plan).prefetch_related(members).order_by("duty", "pk"))


def access_post_for_recording(viewer: User, pk: object) -> PlanPost:
    posts = PlanPost.objects.filter(own_subtree(viewer, field="plan__village"))
    return get_in_scope(posts.select_related("plan__village"), pk)


# --- Emergency state (G6) --------------------------------------------------------------------


def open_state_of(village: OrgUnit) -> EmergencyState | None:
    return (
        EmergencyState.objects.filter(village=village, ended_at__isnull=True)
        .select_related("started_by", "suspension")
        .first()
    )


def states_of(village: OrgUnit) -> QuerySet[EmergencyState]:
    return (
        EmergencyState.objects.filter(village=village)
        .select_related("started_by", "ended_by", "suspension")
        .order_by("-started_at", "-pk")
    )


def open_states(*, viewer: User) -> QuerySet[EmergencyState]:
    return (
        EmergencyState.objects.filter(community_scope(viewer), ended_at__isnull=True)
        .select_related("village", "started_by")
        .order_by("-started_at")
    )


@dataclass(frozen=True)
class DutyLine:
    post: PlanPost
    member: RosterMember
    checked: bool


def duties_today(village: OrgUnit, *, state: EmergencyState | None, today: dt.date) -> list[DutyLine]:
    """Each post's named people, and whether they reported on duty today (during a state)."""
    if state is None:
        return []
    posts = posts_of(plan_of(village))
    checked = set(DutyCheck.objects.filter(state=state, on=today).values_list("post_id", "member_id"))
    return [
        DutyLine(post, member, (post.pk, member.pk) in checked)
        for post in posts
        for member in post.members.all()
    ]


# --- Supplies (G4/G6) --------------------------------------------------------------------------


@dataclass(frozen=True)
class StockLine:
    item: SupplyItem
    quantity: int
    low: bool
    stocked: bool


def stock_of(village: OrgUnit, *, threshold: int) -> list[StockLine]:
    held = dict(SupplyStock.objects.filter(village=village).values_list("item", "quantity"))
    return [
        StockLine(
            item=item,
            quantity=held.get(item.value, 0),
            low=item.value in held and held[item.value] < threshold,
            stocked=item.value in held,
        )
        for item in SupplyItem
    ]


def movements_of(village: OrgUnit) -> QuerySet[SupplyMovement]:
    return (
        SupplyMovement.objects.filter(village=village)
        .select_related("recorded_by")
        .order_by("-happened_at", "-pk")
    )


def low_stock(*, threshold: int) -> QuerySet[SupplyStock]:
    return (
        SupplyStock.objects.filter(quantity__lt=threshold)
        .select_related("village")
        .order_by("village__path", "item")
    )


# --- Field visits (G1) -------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitFilters:
    place: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def visit_list(*, viewer: User, filters: VisitFilters | None = None) -> QuerySet[FieldVisit]:
    """Visits to the places the viewer sees: a township sees the visits to it and its villages."""
    filters = filters or VisitFilters()
    visits = FieldVisit.objects.filter(community_scope(viewer, field="place"))
    if filters.place:
        visits = visits.filter(place_id=filters.place)
    if filters.date_from:
        visits = visits.filter(visited_on__gte=filters.date_from)
    if filters.date_to:
        visits = visits.filter(visited_on__lte=filters.date_to)
    return visits.select_related("place", "county").order_by("-visited_on", "-pk")


def access_visit(viewer: User, pk: object) -> FieldVisit:
    return get_in_scope(visit_list(viewer=viewer), pk)


def access_visit_for_recording(viewer: User, pk: object) -> FieldVisit:
    visits = FieldVisit.objects.filter(own_subtree(viewer, field="place"))
    return get_in_scope(visits.select_related("place", "county"), pk)


def visitable_places(*, viewer: User) -> QuerySet[OrgUnit]:
    """Townships and villages of the viewer's own subtree (where a county's staff go)."""
    return OrgUnit.objects.filter(
        own_subtree(viewer, field=""), kind__in=(UnitKind.TOWNSHIP, UnitKind.VILLAGE)
    ).order_by("path")


# --- Training coverage (G5) --------------------------------------------------------------------


def _attended_expression() -> Any:
    from shouhu.training.selectors import attended

    return attended(person_ref="person_id", module=Module.COMMUNITY)


def coverage_list(*, viewer: User, township: int | None = None) -> QuerySet[OrgUnit]:
    """Per village: `roster_people` (distinct people in the trained roles), `trained` (of them,
    those who attended a community training session), lowest coverage first (no people: last)."""
    trained_roles = RosterMember.objects.filter(village=OuterRef("pk"), role__in=TRAINED_ROLES).order_by()
    people = trained_roles.values("village").annotate(n=Count("person", distinct=True)).values("n")
    trained = (
        trained_roles.filter(_attended_expression())
        .values("village")
        .annotate(n=Count("person", distinct=True))
        .values("n")
    )
    villages = _villages().filter(community_scope(viewer, field=""))
    if township:
        unit = OrgUnit.objects.filter(pk=township, kind=UnitKind.TOWNSHIP).first()
        villages = villages.filter(subtree(unit.path)) if unit else villages.none()
    return villages.annotate(
        roster_people=Coalesce(Subquery(people, output_field=IntegerField()), Value(0)),
        trained=Coalesce(Subquery(trained, output_field=IntegerField()), Value(0)),
    )


def coverage_rows(villages: QuerySet[OrgUnit]) -> list[Any]:
    """Lowest coverage first; villages without anyone in the trained roles after the others."""
    rows = list(villages)
    for v in rows:
        v.coverage = round(100 * v.trained / v.roster_people) if v.roster_people else None
    return sorted(rows, key=lambda v: (v.coverage is None, v.coverage or 0, v.path))


# --- Today (X5) --------------------------------------------------------------------------------


def today_duties(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """应急值守: per village in emergency state, `due` = people named to the plan's posts (one per
    post), `done` = those who reported on duty today. Three queries."""
    states = dict(
        EmergencyState.objects.filter(subtree(within, field="village"), ended_at__isnull=True).values_list(
            "village_id", "village__path"
        )
    )
    if not states:
        return []
    named = (
        PlanPost.members.through.objects.filter(planpost__plan__village_id__in=states)
        .values("planpost__plan__village_id")
        .annotate(n=Count("pk"))
    )
    due = {row["planpost__plan__village_id"]: row["n"] for row in named}
    done = dict(
        DutyCheck.objects.filter(state__village_id__in=states, state__ended_at__isnull=True, on=today)
        .values("state__village_id")
        .annotate(n=Count("pk"))
        .values_list("state__village_id", "n")
    )
    return [
        Tally(
            village_id,
            path,
            done=min(done.get(village_id, 0), due.get(village_id, 0)),
            due=due.get(village_id, 0),
        )
        for village_id, path in states.items()
        if due.get(village_id, 0)
    ]


def today_rosters(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """防控组织名单: per village, due 1 and done 1 once its roster is filled; a village still lacking
    roles after the policy's days from the campaign's start is overdue. Two queries."""
    policy = current_policy(CommunityPolicy, today)
    required = policy.required_roles()
    started = policy.campaign.starts_on if policy.campaign_id else today
    late = today > started + dt.timedelta(days=policy.roster_deadline_days)
    villages = with_roster_counts(_villages().filter(subtree(within)), required=required).annotate(
        filled=Case(
            When(_filled(required), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )
    tallies = []
    for v in villages.values("pk", "path", "filled"):
        if v["filled"]:
            tallies.append(Tally(v["pk"], v["path"], done=1, due=1))
        elif late:
            tallies.append(Tally(v["pk"], v["path"], done=0, due=0, overdue=1))
        else:
            tallies.append(Tally(v["pk"], v["path"], done=0, due=1))
    return tallies


def gap_villages() -> QuerySet[OrgUnit]:
    """Every village whose roster lacks a required role (reminders)."""
    required = current_policy(CommunityPolicy).required_roles()
    return with_roster_counts(_villages(), required=required).exclude(_filled(required)).order_by("path")


def today_is_past_roster_deadline(today: dt.date) -> bool:
    policy = current_policy(CommunityPolicy, today)
    if not policy.campaign_id:
        return False
    return today > policy.campaign.starts_on + dt.timedelta(days=policy.roster_deadline_days)
