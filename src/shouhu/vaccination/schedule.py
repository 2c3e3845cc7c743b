"""When units report their vaccination progress (V4): periods of the policy's length from the
campaign's first day; each period's report is due on its last day.

The periods are computed, never stored: a report stores the period it was for, so a later change
of the interval changes the periods still to come and leaves submitted reports as they were.
"""

import datetime as dt
from dataclasses import dataclass

from shouhu.campaigns.models import Campaign
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.vaccination.models import VaccinationPolicy

ONE_DAY = dt.timedelta(days=1)  # not a policy threshold: the step between dates


@dataclass(frozen=True)
class Period:
    number: int
    starts_on: dt.date
    ends_on: dt.date

    @property
    def due_on(self) -> dt.date:
        return self.ends_on

    def __str__(self) -> str:
        return f"第{self.number}期（{self.starts_on:%m-%d}至{self.ends_on:%m-%d}）"


@dataclass(frozen=True)
class Schedule:
    campaign: Campaign
    interval_days: int

    def periods_until(self, day: dt.date) -> list[Period]:
        """Every period that has started on or before `day`."""
        step = dt.timedelta(days=self.interval_days)
        periods = []
        start = self.campaign.starts_on
        number = 1
        while start <= min(day, self.campaign.ends_on):
            periods.append(Period(number, start, min(start + step - ONE_DAY, self.campaign.ends_on)))
            start += step
            number += 1
        return periods

    def due_before(self, day: dt.date) -> list[Period]:
        """The periods whose report was due before `day`: a unit without one is missing it."""
        return [p for p in self.periods_until(day) if p.due_on < day]

    def period_on(self, day: dt.date) -> Period | None:
        periods = self.periods_until(day)
        return periods[-1] if periods and periods[-1].ends_on >= day else None

    def period_starting(self, starts_on: dt.date) -> Period | None:
        return next((p for p in self.periods_until(starts_on) if p.starts_on == starts_on), None)


def report_schedule(day: dt.date | None = None) -> Schedule | None:
    """The schedule of the campaign running on `day` (or the latest one before it)."""
    policy = current_policy(VaccinationPolicy, day or clock.today())
    if policy.campaign_id is None:
        return None
    return Schedule(campaign=policy.campaign, interval_days=policy.report_interval_days)


def thresholds(day: dt.date | None = None) -> VaccinationPolicy:
    """The policy whose percentages name units in the circular."""
    return current_policy(VaccinationPolicy, day)
