"""The figures of a vaccination baseline, and the rates the region ranks units by (V1, V4, V5).

Pure arithmetic, shared by the live computation (selectors) and the stored reports (models).
Comparisons with the policy's percentages are done in integers, so 89.999… never passes 90.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Figures:
    """Counts of the people of one baseline (底数) on one day.

    completed + in_progress + not_vaccinated == baseline. `booster` is part of `completed`;
    `contraindicated` and `deferred` are among the people not yet completed (a person with both a
    contraindication and a deferral counts as contraindicated); `unclear` is part of `baseline`.
    """

    baseline: int = 0
    completed: int = 0
    booster: int = 0
    in_progress: int = 0
    not_vaccinated: int = 0
    contraindicated: int = 0
    deferred: int = 0
    unclear: int = 0

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> "Figures":
        return cls(**{name: int(values.get(name) or 0) for name in cls.names()})

    @classmethod
    def from_object(cls, source: object) -> "Figures":
        return cls(**{name: int(getattr(source, name) or 0) for name in cls.names()})

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.names()}

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(**{name: getattr(self, name) + getattr(other, name) for name in self.names()})

    @property
    def eligible(self) -> int:
        """Who should be vaccinated: the baseline less those who must not be (应接尽接)."""
        return self.baseline - self.contraindicated

    @property
    def to_do(self) -> int:
        return self.in_progress + self.not_vaccinated - self.contraindicated - self.deferred

    @property
    def completion_rate(self) -> float | None:
        """Completed over eligible, in percent; None when there is nobody to vaccinate."""
        if self.eligible <= 0:
            return None
        return round(self.completed * 100 / self.eligible, 1)

    @property
    def completeness_rate(self) -> float | None:
        """People with a valid ID over the baseline, in percent; None for an empty baseline."""
        if self.baseline <= 0:
            return None
        return round((self.baseline - self.unclear) * 100 / self.baseline, 1)

    def completion_below(self, percent: int) -> bool:
        if self.eligible <= 0:
            return False
        return self.completed * 100 < percent * self.eligible

    def completeness_below(self, percent: int) -> bool:
        """An empty baseline is no baseline at all: it is always unclear (底数不清)."""
        if self.baseline <= 0:
            return True
        return (self.baseline - self.unclear) * 100 < percent * self.baseline


FIGURE_LABELS = {
    "baseline": "底数",
    "completed": "完成全程",
    "booster": "加强针",
    "in_progress": "未完成全程",
    "not_vaccinated": "未接种",
    "contraindicated": "禁忌症",
    "deferred": "暂缓接种",
    "unclear": "身份不清",
}


def percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"
