"""The one way services learn the campaign's rules: `current_policy()`.

No threshold of the plan appears as a literal anywhere else; a test greps for them.
"""

import datetime as dt
import functools

from django.db import connection

from shouhu.campaigns.models import Campaign, Phase, Policy
from shouhu.common import clock
from shouhu.common.rows import columns, select_rows


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

    Same choice of campaign as `campaign_on` — the running one, else the latest that started
    before `day` — in one statement. Every screening and booking asks, and written as SQL it
    costs a third of what the ORM takes to compile the same query.
    """
    day = day or clock.today()
    on = connection.ops.adapt_datefield_value(day)
    found = select_rows(_current_policy_sql(), [on, on], (Policy, "p"))
    return found[0][0] if found else Policy()


@functools.cache
def _current_policy_sql() -> str:
    policies = connection.ops.quote_name(Policy._meta.db_table)
    campaigns = connection.ops.quote_name(Campaign._meta.db_table)
    return f"""
        SELECT {columns(Policy, "p")} FROM {policies} p JOIN {campaigns} c ON c.id = p.campaign_id
        WHERE c.starts_on <= %s
        ORDER BY CASE WHEN c.ends_on >= %s THEN 1 ELSE 0 END DESC, c.starts_on DESC, c.id DESC
        LIMIT 1
    """  # noqa: S608 - only table and column names are formatted in; every value is a parameter
