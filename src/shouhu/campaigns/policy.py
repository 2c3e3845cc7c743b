"""The one way services learn the campaign's rules: `current_policy()`.

No threshold of the plan appears as a literal anywhere else; a test greps for them.
"""

import datetime as dt

from django.db.models import Case, Value, When

from shouhu.campaigns.models import Campaign, Phase, Policy
from shouhu.common import clock


def campaign_on(day: dt.date | None = None) -> Campaign | None:
    """The campaign running on `day`, else the most recent one that started before it."""
    day = day or clock.today()
    running = Campaign.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("-starts_on").first()
    if running:
        return running
    return Campaign.objects.filter(starts_on__lte=day).order_by("-starts_on").first()


def current_phase(day: dt.date | None = None) -> Phase | None:
    day = day or clock.today()
    return (
        Phase.objects.select_related("campaign")
        .filter(starts_on__lte=day, ends_on__gte=day)
        .order_by("-campaign__starts_on")
        .first()
    )


def current_policy(day: dt.date | None = None) -> Policy:
    """The policy in force on `day`; without any campaign, the plan's own defaults.

    Same choice of campaign as `campaign_on`, in one query: every screening and booking asks.
    """
    day = day or clock.today()
    running_first = Case(When(campaign__ends_on__gte=day, then=Value(1)), default=Value(0))
    policy = (
        Policy.objects.filter(campaign__starts_on__lte=day)
        .annotate(running=running_first)
        .order_by("-running", "-campaign__starts_on")
        .first()
    )
    return policy if policy is not None else Policy()
