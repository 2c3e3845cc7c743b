from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shouhu.common import bounds
from shouhu.common.forms import DateInput
from shouhu.community.models import Duty, RosterMember, RosterRole, SupplyItem
from shouhu.community.services import MAX_QUANTITY
from shouhu.orgs.models import OrgUnit


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.person.name}（{obj.get_role_display()}）"


class VillageFilterForm(forms.Form):
    q = forms.CharField(label=_("村（社区）名称"), max_length=50, required=False)
    township = forms.TypedChoiceField(label=_("乡镇（街道）"), coerce=int, required=False, empty_value=None)
    gaps = forms.BooleanField(label=_("只看名单缺角色的"), required=False)
    emergency = forms.BooleanField(label=_("只看应急状态中的"), required=False)

    def __init__(self, *args: Any, townships: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", _("全部乡镇")), *((t.pk, t.name) for t in townships)]  # type: ignore[attr-defined]


class RosterFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名"), max_length=50, required=False)
    role = forms.ChoiceField(
        label=_("角色"), choices=[("", _("全部角色")), *RosterRole.choices], required=False
    )


class RosterForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18,
        required=False,
        help_text=_("已登记的人员按身份证号码关联；未登记的同时登记"),
    )
    role = forms.ChoiceField(label=_("角色"), choices=RosterRole.choices)
    title = forms.CharField(label=_("职务"), max_length=50, required=False)
    estate = forms.CharField(label=_("负责的小区/网格/楼栋"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    is_responsible = forms.BooleanField(label=_("两委负责人"), required=False)


class CheckpointForm(forms.Form):
    name = forms.CharField(label=_("卡口名称"), max_length=100)
    estate = forms.CharField(label=_("所在小区"), max_length=100, required=False)
    location = forms.CharField(label=_("位置"), max_length=200, required=False)
    hours = forms.CharField(label=_("值守时段"), max_length=50, initial="24 小时")
    staff = MemberChoiceField(
        label=_("值守人员"), queryset=RosterMember.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, members: QuerySet[RosterMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = members


class PlanForm(forms.Form):
    organisation = forms.CharField(
        label=_("组织架构"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("指挥长、副指挥长及各组负责人"),
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class PostForm(forms.Form):
    duty = forms.ChoiceField(label=_("职责"), choices=Duty.choices)
    name = forms.CharField(label=_("岗位名称"), max_length=100)
    estate = forms.CharField(label=_("小区/区域"), max_length=100, required=False)
    tasks = forms.CharField(label=_("工作内容"), max_length=300, required=False)
    members = MemberChoiceField(
        label=_("上岗人员"), queryset=RosterMember.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, members: QuerySet[RosterMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = members


class EmergencyForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class DutyCheckForm(forms.Form):
    post = bounds.IntegerField(widget=forms.HiddenInput)
    member = bounds.IntegerField(widget=forms.HiddenInput)


class ReceiptForm(forms.Form):
    item = forms.ChoiceField(label=_("物资"), choices=SupplyItem.choices)
    quantity = bounds.IntegerField(label=_("数量"), min_value=1, max_value=MAX_QUANTITY)
    supplier = forms.CharField(
        label=_("来源"),
        max_length=100,
        help_text=_("如：上级调拨、采购、捐赠"),
        error_messages={"required": _("请填写物资来源（如上级调拨、采购、捐赠）")},
    )


class IssueForm(forms.Form):
    item = forms.ChoiceField(label=_("物资"), choices=SupplyItem.choices)
    quantity = bounds.IntegerField(label=_("数量"), min_value=1, max_value=MAX_QUANTITY)
    issued_to = forms.CharField(label=_("领用人"), max_length=50)


class VisitFilterForm(forms.Form):
    date_from = bounds.DateField(label=_("检查日期自"), required=False, widget=DateInput())
    date_to = bounds.DateField(label=_("至"), required=False, widget=DateInput())


class FindingForm(forms.Form):
    description = forms.CharField(
        label=_("发现的问题"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    assigned_to = forms.CharField(
        label=_("整改责任方"),
        max_length=100,
        initial="乡镇疫情防控指挥部",
        help_text=_("如：乡镇疫情防控指挥部、某部门"),
    )
    deadline = bounds.DateField(
        label=_("整改期限"), required=False, widget=DateInput(), help_text=_("不填按政策参数的天数")
    )


class VisitForm(forms.Form):
    place = UnitChoiceField(label=_("检查地点"), queryset=OrgUnit.objects.none())
    visited_on = bounds.DateField(label=_("检查日期"), widget=DateInput())
    staff = forms.CharField(label=_("检查人员"), max_length=200)
    checked = forms.CharField(label=_("检查内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(
        label=_("情况记录"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    problem = forms.CharField(
        label=_("发现的问题（可选）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("更多问题可在检查记录页继续添加"),
    )
    assigned_to = forms.CharField(
        label=_("整改责任方"), max_length=100, required=False, initial="乡镇疫情防控指挥部"
    )
    deadline = bounds.DateField(label=_("整改期限"), required=False, widget=DateInput())

    def __init__(self, *args: Any, places: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["place"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = places

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("problem") and not data.get("assigned_to"):
            self.add_error("assigned_to", _("请填写整改责任方（如乡镇疫情防控指挥部、某部门）"))
        return data
