"""Forms of the assistance pages: they check the shape of what was typed; the services decide."""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shouhu.accounts.models import User
from shouhu.assistance.models import (
    SUPPORTED_STANDINGS,
    AffectedReason,
    ApplicationStatus,
    AreaType,
    AssistanceReason,
    CareNeed,
    CaseByCaseReview,
    IncomeAssessment,
    IncomeKind,
    Level,
    Relation,
    ReviewDecision,
    Schedule,
    SignalKind,
    Standing,
)
from shouhu.common import bounds
from shouhu.common.forms import DateInput, DateTimeInput
from shouhu.inquiries.models import Channel
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.models import IdType, Person

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CHOOSE = ("", _("请选择"))


class UnitChoiceField(forms.ModelChoiceField):
    """A unit by name; villages under their township are indented in a list of both."""

    def label_from_instance(self, obj: Any) -> str:
        return f"　{obj.name}" if self.indent_villages and obj.kind == UnitKind.VILLAGE else str(obj.name)

    indent_villages = False


class ScopeUnitChoiceField(UnitChoiceField):
    indent_villages = True


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _set_queryset(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


# --- Households ---------------------------------------------------------------------------------


class HouseholdFilterForm(forms.Form):
    """The household list's filters; the GET names are used by links of the Today page and the
    reminders (`?overdue=1&unit=<id>`, `?missing=1`)."""

    q = forms.CharField(label=_("成员姓名"), max_length=50, required=False)
    unit = ScopeUnitChoiceField(
        label=_("乡镇（街道）或村（社区）"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("全部"),
    )
    standing = forms.ChoiceField(
        label=_("救助类别"), choices=[("", _("全部类别")), *Standing.choices], required=False
    )
    missing = forms.BooleanField(label=_("三级包保未落实"), required=False)
    overdue = forms.BooleanField(label=_("走访逾期"), required=False)
    unprotected = forms.BooleanField(label=_("应保尽保待纳入"), required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "unit", units)


class HouseholdDetailsForm(forms.Form):
    """What a household's record says besides where it lives (created and edited alike)."""

    area_type = forms.ChoiceField(label=_("城乡类别"), choices=[CHOOSE, *AreaType.choices])
    standing = forms.ChoiceField(label=_("救助类别"), choices=[CHOOSE, *Standing.choices])
    affected_reason = forms.ChoiceField(
        label=_("受疫情影响原因"),
        choices=[("", _("不适用")), *AffectedReason.choices],
        required=False,
        help_text=_("仅“受疫情影响”的家庭选择"),
    )
    situation = forms.CharField(
        label=_("困难情况"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    address = forms.CharField(label=_("家庭住址"), max_length=200, required=False)


class HouseholdForm(HouseholdDetailsForm):
    head_name = forms.CharField(label=_("户主姓名"), max_length=50)
    head_id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices, initial=IdType.RESIDENT_ID)
    head_id_number = forms.CharField(
        label=_("证件号码"), max_length=30, required=False, help_text=_("无证件的可不填")
    )
    unit = UnitChoiceField(label=_("所在村（社区）"), queryset=OrgUnit.objects.none())
    registered_on = bounds.DateField(label=_("登记日期"), widget=DateInput())

    field_order = [
        "head_name",
        "head_id_type",
        "head_id_number",
        "unit",
        "area_type",
        "standing",
        "affected_reason",
        "situation",
        "address",
        "registered_on",
    ]

    def __init__(self, *args: Any, villages: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "unit", villages)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices, initial=IdType.RESIDENT_ID)
    id_number = forms.CharField(
        label=_("证件号码"), max_length=30, required=False, help_text=_("无证件的可不填")
    )
    relation = forms.ChoiceField(label=_("与户主关系"), choices=[CHOOSE, *Relation.choices])
    joined_on = bounds.DateField(label=_("加入日期"), widget=DateInput())


class LeaveForm(forms.Form):
    left_on = bounds.DateField(label=_("离开日期"), widget=DateInput())
    left_reason = forms.CharField(label=_("离开原因"), max_length=100, help_text=_("如：迁出、婚嫁、死亡"))


# --- Responsibility, visits, follow-ups -----------------------------------------------------------


class ResponsibilityForm(forms.Form):
    level = forms.ChoiceField(label=_("层级"), choices=[CHOOSE, *Level.choices])
    name = forms.CharField(label=_("包保责任人姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    assigned_on = bounds.DateField(label=_("起始日期"), widget=DateInput())


HEAD_CHANGE_CHOICES = [
    ("", _("（原户主已不在本户）")),
    *[c for c in Relation.choices if c[0] != Relation.HEAD],
]


class MakeHeadForm(forms.Form):
    former_head_relation = forms.ChoiceField(
        label=_("原户主改为"), choices=HEAD_CHANGE_CHOICES, required=False
    )

    @staticmethod
    def relation_choices() -> list[tuple[str, Any]]:
        """The select's options, for the one form per member the household page draws itself."""
        return list(HEAD_CHANGE_CHOICES)


MEMBER_RELATION_CHOICES = [c for c in Relation.choices if c[0] != Relation.HEAD]


class MemberRelationForm(forms.Form):
    """与户主关系 of a member other than the head (the head changes through 设为户主)."""

    relation = forms.ChoiceField(label=_("与户主关系"), choices=[CHOOSE, *MEMBER_RELATION_CHOICES])

    @staticmethod
    def relation_choices() -> list[tuple[str, Any]]:
        """The select's options, for the one form per member the household page draws itself."""
        return list(MEMBER_RELATION_CHOICES)


class VisitForm(forms.Form):
    visited_on = bounds.DateField(label=_("走访日期"), widget=DateInput())
    visitor = forms.CharField(label=_("走访人"), max_length=50)
    findings = forms.CharField(label=_("走访情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 4}))
    needs = forms.CharField(
        label=_("困难诉求"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpFilterForm(forms.Form):
    all = forms.BooleanField(label=_("包括已处理的事项"), required=False)
    kind = forms.ChoiceField(
        label=_("事由"), choices=[("", _("全部事由")), *SignalKind.choices], required=False
    )


class FollowUpCloseForm(forms.Form):
    outcome = forms.CharField(label=_("处理情况"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


# --- Standards and assessments ------------------------------------------------------------------


def _money(label: "StrOrPromise") -> forms.DecimalField:
    """An amount of a standard, in yuan, as its column holds it."""
    return forms.DecimalField(label=label, min_value=0, max_digits=8, decimal_places=2)


class StandardForm(forms.Form):
    county = UnitChoiceField(label=_("县（市、区）"), queryset=OrgUnit.objects.none())
    area_type = forms.ChoiceField(label=_("城乡类别"), choices=[CHOOSE, *AreaType.choices])
    effective_from = bounds.DateField(label=_("执行日期"), widget=DateInput())
    dibao_standard = _money(_("低保标准（元/人·月）"))
    tekun_standard = _money(_("特困人员基本生活标准（元/人·月）"))
    minimum_wage = _money(_("最低工资标准（元/月）"))
    employment_cost_percent = bounds.IntegerField(
        label=_("就业成本扣减比例（占最低工资标准 %）"), min_value=0, max_value=100
    )
    isolation_living_cost_percent = bounds.IntegerField(
        label=_("居家隔离生活支出扣减比例（占低保标准 %）"), min_value=0, max_value=100
    )
    document = forms.CharField(label=_("文件依据"), max_length=200, required=False)

    def __init__(self, *args: Any, counties: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "county", counties)


class AssessmentForm(forms.Form):
    month = bounds.DateField(
        label=_("核算月份"), widget=DateInput(), help_text=_("填该月任一日期，按整月核算")
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class IncomeLineForm(forms.Form):
    """One member's income of one kind; a row left empty is no line."""

    person = PersonChoiceField(label=_("成员"), queryset=Person.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("收入类型"), choices=[CHOOSE, *IncomeKind.choices], required=False)
    amount = forms.DecimalField(
        label=_("金额（元/月）"), min_value=0, max_digits=10, decimal_places=2, required=False
    )
    back_at_work = forms.BooleanField(label=_("已外出务工或返岗复工"), required=False)
    isolation_days = bounds.IntegerField(
        label=_("当月居家隔离天数"), min_value=0, max_value=31, required=False
    )

    def __init__(self, *args: Any, persons: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "person", persons)

    def is_filled(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("person") or data.get("kind") or data.get("amount") is not None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_filled():
            if not data.get("person") and "person" not in self.errors:
                self.add_error("person", _("请选择成员"))
            if not data.get("kind") and "kind" not in self.errors:
                self.add_error("kind", _("请选择收入类型"))
            if data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", _("请填写金额"))
        return data


IncomeLineFormSet = forms.formset_factory(IncomeLineForm, extra=6, max_num=20, absolute_max=30)


# --- Months -------------------------------------------------------------------------------------


class MonthInput(forms.DateInput):
    """A month picker (`2022-01`) on phones and in most browsers; a text box elsewhere."""

    input_type = "month"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m", **kwargs)


class MonthField(bounds.DateField):
    """A month, as its first day: typed as `2022-01` or as any date of the month."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day is not None else None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", "") == "month":
            attrs.setdefault("min", f"{bounds.EARLIEST_DAY:%Y-%m}")
            attrs.setdefault("max", f"{bounds.LATEST_DAY:%Y-%m}")
        return attrs


def _amount(label: "StrOrPromise", **kwargs: Any) -> forms.DecimalField:
    """An amount of assistance in yuan, as its column holds it."""
    return forms.DecimalField(
        label=label, min_value=Decimal("0.01"), max_digits=10, decimal_places=2, **kwargs
    )


# --- Temporary assistance and 一事一议 (A5, A6, A7, A10) ---------------------------------------


class ReviewChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.met_on:%Y-%m-%d} {obj.approved_amount} 元 {obj.reference}".strip()


class GrantFilterForm(forms.Form):
    """The grant list's filters; the Today page links `?awaiting=1`."""

    reason = forms.ChoiceField(
        label=_("事由"), choices=[("", _("全部事由")), *AssistanceReason.choices], required=False
    )
    in_force = forms.BooleanField(label=_("仅本月发放中的"), required=False)
    awaiting = forms.BooleanField(label=_("先行救助逾期未补要件"), required=False)


class GrantForm(forms.Form):
    reason = forms.ChoiceField(label=_("救助事由"), choices=[CHOOSE, *AssistanceReason.choices])
    schedule = forms.ChoiceField(label=_("发放方式"), choices=[CHOOSE, *Schedule.choices])
    amount = _amount(_("救助金额（元，按月的为每月）"))
    starts_on = MonthField(label=_("起始月份"))
    is_advance = forms.BooleanField(label=_("先行救助（要件后补）"), required=False)
    expected_months = bounds.IntegerField(
        label=_("困难预计持续月数"),
        min_value=1,
        max_value=120,
        required=False,
        help_text=_("因疫情无法外出务工或返岗复工的必填"),
    )
    review = ReviewChoiceField(
        label=_("一事一议"),
        queryset=CaseByCaseReview.objects.none(),
        required=False,
        empty_label=_("不经一事一议"),
        help_text=_("超过常规上限的，选择本户已同意的一事一议"),
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, reviews: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "review", reviews)


class GrantDocumentsForm(forms.Form):
    completed_on = bounds.DateField(label=_("要件补齐日期"), widget=DateInput())


class GrantEndForm(forms.Form):
    ended_on = MonthField(label=_("停发月份"), help_text=_("该月起不再发放"))
    reason = forms.CharField(label=_("停发原因"), max_length=200)


class GrantToDibaoForm(forms.Form):
    """No fields: the grant and the policy decide; the form carries the refusal."""


class ReviewForm(forms.Form):
    hardship = forms.CharField(
        label=_("重大生活困难情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    proposed_amount = _amount(_("提议救助金额（元）"))
    met_on = bounds.DateField(label=_("议定日期"), widget=DateInput())
    participants = forms.CharField(
        label=_("参加人员"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(label=_("议定结果"), choices=[CHOOSE, *ReviewDecision.choices])
    approved_amount = forms.DecimalField(
        label=_("议定救助金额（元）"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=_("同意的必填；不同意的不填"),
    )
    approved_by = forms.CharField(label=_("审批人"), max_length=50)
    reference = forms.CharField(label=_("会议纪要或批文编号"), max_length=100, required=False)


# --- Applications for 低保 and 特困 (A4, A7) -----------------------------------------------------


class ApplicationFilterForm(forms.Form):
    """The application list's filters; the Today page links `?open=1`."""

    status = forms.ChoiceField(
        label=_("办理环节"), choices=[("", _("全部环节")), *ApplicationStatus.choices], required=False
    )
    open = forms.BooleanField(label=_("只看办理中"), required=False)
    late = forms.BooleanField(label=_("只看逾期"), required=False)


class ApplicationForm(forms.Form):
    standing = forms.ChoiceField(
        label=_("申请类别"),
        choices=[CHOOSE, *[c for c in Standing.choices if c[0] in SUPPORTED_STANDINGS]],
    )
    reason = forms.CharField(label=_("申请理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    applied_on = bounds.DateField(label=_("申请日期"), widget=DateInput())


class ApplicationAcceptForm(forms.Form):
    accepted_on = bounds.DateField(label=_("受理日期"), widget=DateInput())


class AssessmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.month:%Y-%m} 低保金 {obj.dibao_amount} 元/月"


class ApplicationInvestigateForm(forms.Form):
    investigated_on = bounds.DateField(label=_("入户调查日期"), widget=DateInput())
    findings = forms.CharField(label=_("调查情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    assessment = AssessmentChoiceField(
        label=_("家庭收入核算"),
        queryset=IncomeAssessment.objects.none(),
        required=False,
        empty_label=_("不选"),
        help_text=_("申请低保的须选择该户的收入核算"),
    )

    def __init__(self, *args: Any, assessments: QuerySet[IncomeAssessment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "assessment", assessments)


class ApplicationPubliciseForm(forms.Form):
    starts_on = bounds.DateField(label=_("公示开始日期"), widget=DateInput())


class ApplicationApproveForm(forms.Form):
    decided_on = bounds.DateField(label=_("审批日期"), widget=DateInput())
    objections = forms.CharField(
        label=_("公示期间异议及核实情况"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("无异议的可不填"),
    )


class ApplicationRefuseForm(forms.Form):
    decided_on = bounds.DateField(label=_("办结日期"), widget=DateInput())
    reason = forms.CharField(
        label=_("不予通过理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Payments (A3) ------------------------------------------------------------------------------


class RollGenerateForm(forms.Form):
    county = UnitChoiceField(label=_("县（市、区）"), queryset=OrgUnit.objects.none())
    month = MonthField(label=_("发放月份"))

    def __init__(self, *args: Any, counties: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "county", counties)


class BankFileForm(forms.Form):
    reason = forms.CharField(
        label=_("导出事由"),
        max_length=200,
        help_text=_("银行代发文件含完整的证件号码和银行账号，导出将记录事由备查"),
    )


class BankResultForm(forms.Form):
    file = forms.FileField(label=_("银行反馈文件（xlsx 或 CSV）"))


# --- Care of isolated people (A9) ---------------------------------------------------------------


class CareFilterForm(forms.Form):
    all = forms.BooleanField(label=_("包括已结束的照料"), required=False)
    overdue = forms.BooleanField(label=_("只看逾期未送达"), required=False)


class CareDeliveryForm(forms.Form):
    delivered_on = bounds.DateField(label=_("送达日期"), widget=DateInput())
    needs = forms.MultipleChoiceField(
        label=_("需求类别"), choices=CareNeed.choices, widget=forms.CheckboxSelectMultiple
    )
    items = forms.CharField(
        label=_("送达物资或服务"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    delivered_by = forms.CharField(label=_("送达人"), max_length=50)


# --- The hotline (A11) --------------------------------------------------------------------------


class HotlineFilterForm(forms.Form):
    q = forms.CharField(label=_("诉求内容"), max_length=50, required=False)
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[("", _("全部渠道")), *Channel.choices], required=False
    )
    open = forms.BooleanField(label=_("只看未办结"), required=False)
    breached = forms.BooleanField(label=_("只看超时"), required=False)


class HotlineCallForm(forms.Form):
    channel = forms.ChoiceField(label=_("渠道"), choices=[("", "---------"), *Channel.choices])
    received_at = bounds.DateTimeField(label=_("受理时间"), widget=DateTimeInput())
    caller_name = forms.CharField(label=_("来电（访）人"), max_length=50, required=False)
    caller_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    summary = forms.CharField(label=_("诉求内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username}（{obj.unit.name if obj.unit else ''}）"


class HotlineAssignForm(forms.Form):
    user = UserChoiceField(label=_("承办人"), queryset=User.objects.none())

    def __init__(self, *args: Any, users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]


class HotlineAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("首次答复内容"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class HotlineCloseForm(forms.Form):
    outcome = forms.CharField(label=_("办理结果"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
