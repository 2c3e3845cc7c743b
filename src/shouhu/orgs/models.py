from django.db import models
from treebeard.mp_tree import MP_Node

from shouhu.common.models import TimeStampedModel
from shouhu.common.modules import Module


class UnitKind(models.TextChoices):
    REGION = "region", "地区"
    COUNTY = "county", "县（市、区）"
    TOWNSHIP = "township", "乡镇（街道）"
    VILLAGE = "village", "村（社区）"
    DEPARTMENT = "department", "局机关科室"
    AFFILIATED = "affiliated", "所属事业单位"
    INSTITUTION = "institution", "服务机构"


class InstitutionType(models.TextChoices):
    NURSING_HOME = "nursing_home", "养老机构"
    FUNERAL_HOME = "funeral_home", "殡葬服务机构"
    MARRIAGE_REGISTRY = "marriage_registry", "婚姻登记机关"
    RESCUE_STATION = "rescue_station", "救助管理机构"
    LOTTERY_OUTLET = "lottery_outlet", "福彩投注站"
    BUREAU_OFFICE = "bureau_office", "民政局办公场所"


class UnitStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    CLOSED = "closed", "停业"
    INACTIVE = "inactive", "撤销"


# Which levels may sit under which: the tree stays the shape the plan describes.
ALLOWED_CHILD_KINDS: dict[str, set[str]] = {
    UnitKind.REGION: {UnitKind.COUNTY, UnitKind.DEPARTMENT, UnitKind.AFFILIATED, UnitKind.INSTITUTION},
    UnitKind.COUNTY: {UnitKind.TOWNSHIP, UnitKind.INSTITUTION},
    UnitKind.TOWNSHIP: {UnitKind.VILLAGE, UnitKind.INSTITUTION},
    UnitKind.VILLAGE: {UnitKind.INSTITUTION},
    UnitKind.DEPARTMENT: set(),
    UnitKind.AFFILIATED: {UnitKind.INSTITUTION},
    UnitKind.INSTITUTION: set(),
}


# treebeard ships no type information, so the plugin cannot see MP_NodeManager; it falls back to a
# Manager[OrgUnit] whose tree methods (add_root, get_root_nodes, …) are typed Any.
class OrgUnit(MP_Node, TimeStampedModel):  # type: ignore[django-manager-missing]
    """A node of the region's tree: a level of government, a department or an institution."""

    name = models.CharField("名称", max_length=100)
    code = models.CharField(
        "编码",
        max_length=32,
        unique=True,
        help_text="行政区划代码或本系统编码，全区唯一",
    )
    kind = models.CharField("层级类型", max_length=16, choices=UnitKind.choices)
    institution_type = models.CharField(
        "机构类别", max_length=24, choices=InstitutionType.choices, blank=True
    )
    coordinated_modules = models.JSONField(
        "统筹推进的任务",
        default=list,
        blank=True,
        help_text="地区民政局科室和事业单位统筹推进的重点任务",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    status = models.CharField("状态", max_length=16, choices=UnitStatus.choices, default=UnitStatus.ACTIVE)
    is_demo = models.BooleanField("演示数据", default=False)

    steplen = 4

    @classmethod
    def path_and_ancestors(cls, path: str) -> list[str]:
        """The paths of the unit at `path` and of every unit above it, root first."""
        return [path[:end] for end in range(cls.steplen, len(path) + 1, cls.steplen)]

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        constraints = [
            models.CheckConstraint(
                name="orgunit_institution_has_type",
                condition=(models.Q(kind=UnitKind.INSTITUTION) & ~models.Q(institution_type=""))
                | (~models.Q(kind=UnitKind.INSTITUTION) & models.Q(institution_type="")),
                violation_error_message="服务机构必须填写机构类别，其他单位不填",
            ),
            models.CheckConstraint(
                name="orgunit_name_not_blank",
                condition=~models.Q(name=""),
                violation_error_message="名称不能为空",
            ),
        ]
        indexes = [models.Index(fields=["kind", "institution_type"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_institution(self) -> bool:
        return self.kind == UnitKind.INSTITUTION

    @property
    def kind_label(self) -> str:
        if self.is_institution:
            return InstitutionType(self.institution_type).label
        return UnitKind(self.kind).label

    def coordinated_module_labels(self) -> list[str]:
        return [Module(m).label for m in self.coordinated_modules if m in Module.values]

    def county_path(self) -> str | None:
        """Path of the county this unit lies in (None above or beside the counties)."""
        if self.depth < 2:
            return None
        return self.path[: 2 * self.steplen]
