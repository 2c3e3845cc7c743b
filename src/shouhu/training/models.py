"""Training sessions and who attended them: one mechanism for every module (SPEC G5, R5).

A unit organises a session for a module — the community's workers, building heads and grid heads
on the prevention policies (G5), a rescue station's staff on prevention (R5) — and records who
attended, in which role. Modules do not keep training rows of their own: their coverage pages
annotate their rosters with `selectors.attended(...)` ("this person attended a session of the
module, in one of these roles, since that date").
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shouhu.common.models import TimeStampedModel
from shouhu.common.modules import Module

# A session lasts part of one day: more than a day's hours is a typo. A physical bound, not a
# policy threshold.
MAX_HOURS = Decimal("24")


class Audience(models.TextChoices):
    """Who a session is for; the roster roles of the community app carry the same values (GLOSSARY)."""

    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    BUILDING_HEAD = "building_head", _("楼长")
    GRID_HEAD = "grid_head", _("网格长")
    HOUSEHOLD_GROUP_HEAD = "household_group_head", _("联户长")
    VOLUNTEER = "volunteer", _("志愿者")
    STAFF = "staff", _("工作人员")


class TrainingSession(TimeStampedModel):
    module = models.CharField("所属任务", max_length=16, choices=Module.choices)
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="training_sessions",
        verbose_name="组织单位",
        db_index=False,  # the (unit, held_on) index serves it
    )
    held_on = models.DateField("培训日期")
    topic = models.CharField("培训内容", max_length=200)
    # A list of `Audience` values, checked by the service: a JSON list works alike on SQLite and
    # PostgreSQL, and no query filters on it (attendance carries each person's role).
    audience = models.JSONField("培训对象", default=list)
    trainer = models.CharField("授课人", max_length=100)
    place = models.CharField("培训地点", max_length=200, blank=True)
    hours = models.DecimalField("培训时长（小时）", max_digits=4, decimal_places=1)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "培训"
        verbose_name_plural = "培训"
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="training_session_has_topic",
                condition=~Q(topic=""),
                violation_error_message="请填写培训内容",
            ),
            models.CheckConstraint(
                name="training_session_has_trainer",
                condition=~Q(trainer=""),
                violation_error_message="请填写授课人",
            ),
            models.CheckConstraint(
                name="training_session_hours_in_range",
                condition=Q(hours__gt=0, hours__lte=MAX_HOURS),
                violation_error_message="培训时长须大于 0 且不超过 24 小时",
            ),
            models.CheckConstraint(
                name="training_session_known_module",
                condition=Q(module__in=Module.values),
                violation_error_message="未知的任务",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "held_on"]),
            models.Index(fields=["module", "held_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.topic}"

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [str(labels.get(value, value)) for value in self.audience]


class Attendance(TimeStampedModel):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances", verbose_name="培训"
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="training_attendances",
        verbose_name="参训人员",
    )
    role = models.CharField("参训身份", max_length=24, choices=Audience.choices)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "参训记录"
        verbose_name_plural = "参训记录"
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                name="attendance_once_per_session",
                violation_error_message="该人员已在本次培训的参训名单中",
            ),
            models.CheckConstraint(
                name="attendance_known_role",
                condition=Q(role__in=Audience.values),
                violation_error_message="未知的参训身份",
            ),
        ]
        # `attended(...)` looks rows up by person first.
        indexes = [models.Index(fields=["person", "role"])]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.session_id}"
