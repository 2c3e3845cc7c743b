"""The one way services learn the campaign's rules: `current_policy()`.

No threshold of the plan appears as a literal anywhere else; a test greps for them.
"""

import datetime as dt

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
    """The policy in force on `day`; without any campaign, the plan's own defaults."""
    campaign = campaign_on(day)
    if campaign is not None:
        policy = Policy.objects.filter(campaign=campaign).first()
        if policy is not None:
            return policy
    return Policy()
