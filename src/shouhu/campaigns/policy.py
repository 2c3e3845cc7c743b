"""The one way services learn the campaign's rules: `current_policy(TheModulesPolicy, day)`.

Each module keeps its thresholds in its own `ModulePolicy` (screening's in `ScreeningPolicy`,
marriage's in `MarriagePolicy`, …); no threshold of the plan appears as a literal anywhere else,
and a test greps for them.
"""

import datetime as dt
import functools
from collections.abc import Iterable
from typing import TypeVar, overload

from django.apps import apps
from django.db.models import Case, IntegerField, Value, When

from shouhu.campaigns.models import Campaign, ModulePolicy, Phase
from shouhu.common import clock

P = TypeVar("P", bound=ModulePolicy)
Q = TypeVar("Q", bound=ModulePolicy)
R = TypeVar("R", bound=ModulePolicy)

# Fields every policy has that are not rules of the plan.
_NOT_RULES = frozenset({"id", "campaign", "created_at", "updated_at"})


@functools.cache
def policy_models() -> tuple[type[ModulePolicy], ...]:
    """Every module's policy, in the plan's order: a new module's policy is found by itself."""
    found = [model for model in apps.get_models() if issubclass(model, ModulePolicy)]
    return tuple(sorted(found, key=lambda model: model.plan_order))


def policy_fields(model: type[ModulePolicy]) -> list[str]:
    """The rules of a policy (the fields staff edit), in the model's order."""
    return [field.name for field in model._meta.concrete_fields if field.name not in _NOT_RULES]


def _campaign_in_force(day: dt.date, with_policies: Iterable[type[ModulePolicy]] = ()) -> Campaign | None:
    """The campaign running on `day`, else the latest that started before it (of two running,
    the later start), with the given policies joined in: one statement."""
    return (
        Campaign.objects.filter(starts_on__lte=day)
        .annotate(
            running=Case(When(ends_on__gte=day, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        .order_by("-running", "-starts_on", "-pk")
        .select_related(*(model.accessor() for model in with_policies))
        .first()
    )


def policy_of(campaign: Campaign | None, model: type[P]) -> P:
    """`campaign`'s row of `model`, else an unsaved one with the plan's defaults (a campaign made
    before the module had a policy; saving it through `policy_update` creates the row). Reads
    nothing when the campaign was fetched with the policy joined in."""
    if campaign is None:
        return model()
    found: P | None = getattr(campaign, model.accessor(), None)  # None: the campaign has no row
    return found if found is not None else model(campaign=campaign)


def campaign_on(day: dt.date | None = None) -> Campaign | None:
    """The campaign running on `day`, else the most recent one that started before it."""
    return _campaign_in_force(day or clock.today())


def current_phase(day: dt.date | None = None) -> Phase | None:
    day = day or clock.today()
    return (
        Phase.objects.select_related("campaign")
        .filter(starts_on__lte=day, ends_on__gte=day)
        .order_by("-campaign__starts_on")
        .first()
    )


def current_policy(model: type[P], day: dt.date | None = None) -> P:
    """`model`'s policy in force on `day` — that of `campaign_on(day)` — in one statement;
    without any campaign, or before the campaign has a row of it, the plan's own defaults."""
    return policy_of(_campaign_in_force(day or clock.today(), [model]), model)


@overload
def current_policies(first: type[P], second: type[Q], /, *, day: dt.date | None = None) -> tuple[P, Q]: ...


@overload
def current_policies(
    first: type[P], second: type[Q], third: type[R], /, *, day: dt.date | None = None
) -> tuple[P, Q, R]: ...


def current_policies(*models: type[ModulePolicy], day: dt.date | None = None) -> tuple[ModulePolicy, ...]:
    """Several modules' policies in force on `day` (as `current_policy`), in one statement: for a
    rule that reads another module's thresholds (the marriage counter asks screening's look-back
    days and fever line)."""
    campaign = _campaign_in_force(day or clock.today(), models)
    return tuple(policy_of(campaign, model) for model in models)
