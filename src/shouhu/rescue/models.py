"""Vagrant and beggar rescue (流浪乞讨人员救助, SPEC R1–R4).

Street patrols and the people met on them (R1); the people a station takes in, what they were
given, the help to get back on their feet and the journey home (R2); incidents at the station,
reported up at once and closed with a finding on liability (R3); and the staff sent out to
escort someone home or to trace a family, who must be fully vaccinated (R4).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import ModulePolicy, within
from shouhu.common.models import TimeStampedModel
from shouhu.people.models import Gender  # the register's own choices: a matched record keeps its words

# --- Street patrols (R1) -----------------------------------------------------------------------


class StreetPatrol(TimeStampedModel):
    """One street patrol (街面巡查) by a station's staff: where, when, who."""

    station = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="street_patrols", verbose_name="救助管理机构"
    )
    area = models.CharField("巡查区域", max_length=200)
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间")
    staff = models.CharField("巡查人员", max_length=200)
    note = models.CharField("备注", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "街面巡查"
        verbose_name_plural = "街面巡查"
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="streetpatrol_ends_after_start",
                condition=Q(ended_at__gte=F("started_at")),
                violation_error_message="结束时间不能早于开始时间",
            ),
            models.CheckConstraint(
                name="streetpatrol_has_area", condition=~Q(area=""), violation_error_message="请填写巡查区域"
            ),
            models.CheckConstraint(
                name="streetpatrol_has_staff",
                condition=~Q(staff=""),
                violation_error_message="请填写巡查人员",
            ),
        ]
        indexes = [models.Index(fields=["station", "started_at"])]

    def __str__(self) -> str:
        return f"{self.area} {self.started_at:%Y-%m-%d %H:%M}"


class EncounterAction(models.TextChoices):
    PERSUADED_IN = "persuaded_in", _("劝导入站")
    RELIEF_ON_SITE = "relief_on_site", _("就地发放食品衣物")
    REFERRED_MEDICAL = "referred_medical", _("护送就医")
    REFERRED_POLICE = "referred_police", _("移交公安")
    RETURNED_HOME = "returned_home", _("联系家属接回")
    REFUSED_HELP = "refused_help", _("拒绝救助")
    OTHER = "other", _("其他")


class PatrolEncounter(TimeStampedModel):
    """One person met on a patrol and what was done (R1)."""

    patrol = models.ForeignKey(
        StreetPatrol, on_delete=models.CASCADE, related_name="encounters", verbose_name="街面巡查"
    )
    place = models.CharField("发现地点", max_length=200)
    description = models.CharField(
        "人员情况", max_length=300, help_text="姓名（如知道）、性别、大致年龄、体貌特征"
    )
    action = models.CharField("处置方式", max_length=20, choices=EncounterAction.choices)
    note = models.CharField("备注", max_length=300, blank=True)
    rescued = models.OneToOneField(
        "RescuedPerson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="encounter",
        verbose_name="受助人员记录",
    )

    class Meta:
        verbose_name = "巡查发现人员"
        verbose_name_plural = "巡查发现人员"
        ordering = ["patrol", "pk"]
        constraints = [
            models.CheckConstraint(
                name="encounter_has_description",
                condition=~Q(description=""),
                violation_error_message="请填写人员情况",
            ),
            models.CheckConstraint(
                name="encounter_rescued_only_if_persuaded",
                condition=Q(rescued__isnull=True) | Q(action="persuaded_in"),
                violation_error_message="只有劝导入站的人员才能开立受助人员记录",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description}（{self.get_action_display()}）"


# --- People rescued (R2) -----------------------------------------------------------------------


class RescuedStatus(models.TextChoices):
    IN_STATION = "in_station", _("在站")
    RETURNING = "returning", _("返乡途中")
    RETURNED = "returned", _("已返乡")
    LEFT = "left", _("自行离站")
    TRANSFERRED = "transferred", _("转送其他机构")
    DECEASED = "deceased", _("死亡")


IN_CARE = (RescuedStatus.IN_STATION, RescuedStatus.RETURNING)


class RescuedPerson(TimeStampedModel):
    """Someone a rescue station took in (受助人员): often without a name or papers, known by the
    station's temporary number and a description until matched to the person register."""

    station = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="rescued_people", verbose_name="救助管理机构"
    )
    temp_number = models.CharField("临时编号", max_length=32)
    name = models.CharField("姓名（自报）", max_length=50, blank=True)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices, default=Gender.UNKNOWN)
    approx_age = models.PositiveSmallIntegerField("大致年龄", null=True, blank=True)
    description = models.CharField("体貌特征", max_length=300, blank=True)
    found_place = models.CharField("发现（求助）地点", max_length=200, blank=True)
    admitted_at = models.DateTimeField("入站时间")
    status = models.CharField(
        "状态", max_length=16, choices=RescuedStatus.choices, default=RescuedStatus.IN_STATION
    )
    left_on = models.DateField("离站日期", null=True, blank=True)
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rescue_records",
        verbose_name="人员登记",
    )
    matched_at = models.DateTimeField("比对时间", null=True, blank=True)
    entry_screening = models.ForeignKey(
        "screening.Screening",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="入站查验",
    )
    note = models.CharField("备注", max_length=300, blank=True)
    registered_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "受助人员"
        verbose_name_plural = "受助人员"
        ordering = ["-admitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "temp_number"],
                name="rescued_temp_number_unique",
                violation_error_message="该临时编号已使用",
            ),
            models.CheckConstraint(
                name="rescued_identifiable",
                condition=~Q(name="") | ~Q(description=""),
                violation_error_message="请填写姓名或体貌特征",
            ),
            models.CheckConstraint(
                name="rescued_left_when_out_of_care",
                condition=(Q(status__in=[s.value for s in IN_CARE]) & Q(left_on__isnull=True))
                | (~Q(status__in=[s.value for s in IN_CARE]) & Q(left_on__isnull=False)),
                violation_error_message="离站的受助人员须有离站日期，在站的不能有",
            ),
            models.CheckConstraint(
                name="rescued_matched_has_time",
                condition=Q(person__isnull=True) | Q(matched_at__isnull=False),
                violation_error_message="比对结果须有比对时间",
            ),
            models.CheckConstraint(
                name="rescued_age_plausible",
                condition=Q(approx_age__isnull=True) | Q(approx_age__lte=120),
                violation_error_message="年龄不合理",
            ),
        ]
        indexes = [models.Index(fields=["station", "status"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        known = self.person.name if self.person_id and self.person else self.name
        return f"{known}（{self.temp_number}）" if known else self.temp_number


class ProvisionKind(models.TextChoices):
    FOOD = "food", _("饮食")
    SHELTER = "shelter", _("住宿")
    MEDICAL = "medical", _("医疗")
    WARMTH = "warmth", _("御寒衣被")


class Provision(TimeStampedModel):
    """A basic right provided on a day (保障基本权益): food, shelter, medical care, warmth."""

    rescued = models.ForeignKey(
        RescuedPerson, on_delete=models.CASCADE, related_name="provisions", verbose_name="受助人员"
    )
    kind = models.CharField("保障内容", max_length=12, choices=ProvisionKind.choices)
    provided_on = models.DateField("日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "基本权益保障"
        verbose_name_plural = "基本权益保障"
        ordering = ["-provided_on", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["rescued", "kind", "provided_on"],
                name="provision_once_per_day",
                violation_error_message="该日已记录此项保障",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provided_on} {self.get_kind_display()}"


class GuidanceKind(models.TextChoices):
    POLICY_BRIEFING = "policy_briefing", _("救助政策宣讲")
    JOB_GUIDANCE = "job_guidance", _("务工就业引导")
    FAMILY_CONTACT = "family_contact", _("联系家属")
    OTHER = "other", _("其他")


class Guidance(TimeStampedModel):
    """Guided assistance (引导型救助): briefing on the policy, work, finding the family."""

    rescued = models.ForeignKey(
        RescuedPerson, on_delete=models.CASCADE, related_name="guidance", verbose_name="受助人员"
    )
    kind = models.CharField("引导内容", max_length=20, choices=GuidanceKind.choices)
    done_on = models.DateField("日期")
    note = models.CharField("情况", max_length=300)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "引导型救助"
        verbose_name_plural = "引导型救助"
        ordering = ["-done_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="guidance_has_note", condition=~Q(note=""), violation_error_message="请填写情况"
            )
        ]

    def __str__(self) -> str:
        return f"{self.done_on} {self.get_kind_display()}"


class Transport(models.TextChoices):
    TRAIN = "train", _("火车")
    BUS = "bus", _("长途汽车")
    STATION_VEHICLE = "station_vehicle", _("救助站车辆")
    FAMILY_PICKUP = "family_pickup", _("家属接回")
    OTHER = "other", _("其他")


class ReturnStatus(models.TextChoices):
    ARRANGED = "arranged", _("已安排")
    DEPARTED = "departed", _("已出发")
    ARRIVED = "arrived", _("已到达")
    CANCELLED = "cancelled", _("已取消")


class ReturnTrip(TimeStampedModel):
    """The journey home (返乡) of someone rescued, tracked until the receiving side confirms the
    arrival."""

    rescued = models.ForeignKey(
        RescuedPerson, on_delete=models.PROTECT, related_name="returns", verbose_name="受助人员"
    )
    station = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="救助管理机构"
    )
    destination = models.CharField("返乡目的地", max_length=200)
    transport = models.CharField("交通方式", max_length=20, choices=Transport.choices)
    escorted = models.BooleanField("派员护送", default=False)
    receiver = models.CharField("接收方", max_length=100, help_text="如：家属姓名、当地救助站")
    planned_on = models.DateField("计划出发日期")
    departed_at = models.DateTimeField("出发时间", null=True, blank=True)
    arrived_at = models.DateTimeField("到达时间", null=True, blank=True)
    confirmed_by_name = models.CharField("到达确认人（接收方）", max_length=100, blank=True)
    confirmation_note = models.CharField("确认方式及情况", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.ARRANGED
    )
    arranged_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="安排人",
    )
    confirmed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认登记人",
    )

    class Meta:
        verbose_name = "返乡"
        verbose_name_plural = "返乡"
        ordering = ["-planned_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rescued"],
                condition=~Q(status="cancelled"),
                name="returntrip_one_live_per_person",
                violation_error_message="该受助人员已安排返乡",
            ),
            models.CheckConstraint(
                name="returntrip_departed_when_under_way",
                condition=Q(status="arranged", departed_at__isnull=True)
                | Q(status="cancelled", arrived_at__isnull=True)
                | Q(status="departed", departed_at__isnull=False, arrived_at__isnull=True)
                | Q(status="arrived", departed_at__isnull=False, arrived_at__isnull=False),
                violation_error_message="返乡状态与出发、到达时间不符",
            ),
            models.CheckConstraint(
                name="returntrip_arrives_after_departure",
                condition=Q(arrived_at__isnull=True) | Q(arrived_at__gte=F("departed_at")),
                violation_error_message="到达时间不能早于出发时间",
            ),
            models.CheckConstraint(
                name="returntrip_arrival_confirmed_by_receiver",
                condition=Q(arrived_at__isnull=True) | ~Q(confirmed_by_name=""),
                violation_error_message="到达须由接收方确认，请填写确认人",
            ),
            models.CheckConstraint(
                name="returntrip_has_destination",
                condition=~Q(destination=""),
                violation_error_message="请填写返乡目的地",
            ),
        ]
        indexes = [models.Index(fields=["station", "status"])]

    def __str__(self) -> str:
        return f"{self.rescued_id} → {self.destination}"


class AssignmentKind(models.TextChoices):
    ESCORT = "escort", _("护送返乡")
    TRACING = "tracing", _("外出寻亲")


class StaffAssignment(TimeStampedModel):
    """A member of staff sent out to escort someone home or to trace a family (R4)."""

    rescued = models.ForeignKey(
        RescuedPerson, on_delete=models.PROTECT, related_name="assignments", verbose_name="受助人员"
    )
    kind = models.CharField("任务", max_length=12, choices=AssignmentKind.choices)
    staff = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="rescue_assignments", verbose_name="工作人员"
    )
    task_on = models.DateField("任务日期")
    note = models.CharField("说明", max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="安排人",
    )

    class Meta:
        verbose_name = "护送及寻亲任务"
        verbose_name_plural = "护送及寻亲任务"
        ordering = ["-task_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rescued", "kind", "staff", "task_on"],
                name="assignment_once",
                violation_error_message="该工作人员已安排此任务",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.staff_id}"


# --- Incidents (R3) ---------------------------------------------------------------------------


class IncidentKind(models.TextChoices):
    ACCIDENT = "accident", _("意外事故")
    ILLNESS = "illness", _("突发疾病")
    ESCAPE = "escape", _("走失、擅自离站")
    DEATH = "death", _("死亡")
    OTHER = "other", _("其他")


class Incident(TimeStampedModel):
    """An accident, illness, escape or death at a station: reported up at once, followed until
    closed, with liability decided at closing (the target: no accident with liability)."""

    station = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="rescue_incidents", verbose_name="救助管理机构"
    )
    rescued = models.ForeignKey(
        RescuedPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name="涉及受助人员",
    )
    kind = models.CharField("类型", max_length=12, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField("发生时间")
    description = models.TextField("经过")
    reported_at = models.DateTimeField("上报时间")
    last_report_at = models.DateTimeField("最近续报时间")
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    liability = models.BooleanField("责任事故", null=True, blank=True)
    closing_note = models.TextField("结案意见", blank=True)
    reported_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="上报人",
    )
    closed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="结案人",
    )

    class Meta:
        verbose_name = "安全事件"
        verbose_name_plural = "安全事件"
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="incident_liability_decided_at_closing",
                condition=Q(closed_at__isnull=True, liability__isnull=True)
                | Q(closed_at__isnull=False, liability__isnull=False),
                violation_error_message="结案时须认定是否为责任事故",
            ),
            models.CheckConstraint(
                name="incident_closed_with_note",
                condition=Q(closed_at__isnull=True) | ~Q(closing_note=""),
                violation_error_message="请填写结案意见",
            ),
            models.CheckConstraint(
                name="incident_reported_after_occurring",
                condition=Q(reported_at__gte=F("occurred_at")),
                violation_error_message="上报时间不能早于发生时间",
            ),
            models.CheckConstraint(
                name="incident_has_description",
                condition=~Q(description=""),
                violation_error_message="请填写事件经过",
            ),
        ]
        indexes = [
            models.Index(fields=["station", "closed_at"]),
            models.Index(fields=["station", "liability"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class IncidentReport(TimeStampedModel):
    """A follow-up report (续报) on an open incident."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="reports", verbose_name="安全事件"
    )
    reported_at = models.DateTimeField("续报时间")
    text = models.TextField("续报情况")
    reported_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="续报人",
    )

    class Meta:
        verbose_name = "安全事件续报"
        verbose_name_plural = "安全事件续报"
        ordering = ["reported_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="incidentreport_has_text",
                condition=~Q(text=""),
                violation_error_message="请填写续报情况",
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.reported_at:%Y-%m-%d %H:%M}"


# --- Policy ------------------------------------------------------------------------------------


class RescuePolicy(ModulePolicy):
    """Street patrols (R1), returns home (R2), incidents (R3) and the staff sent out (R4)."""

    plan_order = 55
    plan_title = _("流浪乞讨人员救助")

    daily_patrol_required = models.BooleanField(
        _("每日街面巡查"),
        default=True,
        help_text=_("方案要求加大街面巡查力度：每个救助管理机构每天至少登记一次街面巡查"),
    )
    incident_follow_up_hours = models.PositiveSmallIntegerField(
        _("安全事件续报时限（小时）"),
        default=24,
        validators=within(1, 168),
        help_text=_("未结案的安全事件超过此小时数没有续报，提醒救助站和县级民政局"),
    )
    return_arrival_days = models.PositiveSmallIntegerField(
        _("返乡途中天数上限"),
        default=3,
        validators=within(1, 30),
        help_text=_("出发后超过此天数仍未经接收方确认到达的，视为逾期"),
    )
    spring_festival_date = models.DateField(
        _("春节日期"),
        null=True,
        blank=True,
        help_text=_("留空则使用行动日历中的“春节”重要节点；春节前返乡的人员跟踪至确认到达"),
    )
    escort_requires_full_vaccination = models.BooleanField(
        _("护送和外出寻亲须完成全程接种"),
        default=True,
        help_text=_("对未接种新冠病毒疫苗人员，原则上不安排护送返乡、外出溯源等工作"),
    )

    class Meta:
        verbose_name = "流浪乞讨人员救助政策参数"
        verbose_name_plural = "流浪乞讨人员救助政策参数"
