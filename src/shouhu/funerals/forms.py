from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shouhu.common import bounds
from shouhu.common.forms import DateInput, DateTimeInput
from shouhu.funerals.models import CeremonyType, PPEItem, RemainsStep
from shouhu.funerals.services import MAX_QUANTITY
from shouhu.orgs.models import OrgUnit


class HomeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("逝者姓名"), max_length=50, required=False)
    home = forms.TypedChoiceField(label=_("殡葬服务机构"), coerce=int, required=False, empty_value=None)
    ceremony_type = forms.ChoiceField(
        label=_("仪式类型"), choices=[("", _("全部仪式")), *CeremonyType.choices], required=False
    )
    date_from = bounds.DateField(label=_("治丧日期自"), required=False, widget=DateInput())
    date_to = bounds.DateField(label=_("至"), required=False, widget=DateInput())
    covid = forms.BooleanField(label=_("只看新冠患者遗体"), required=False)
    open = forms.BooleanField(label=_("只看处置未完成"), required=False)

    def __init__(self, *args: Any, homes: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home"].choices = [("", _("全部机构")), *((h.pk, h.name) for h in homes)]  # type: ignore[attr-defined]


class CaseForm(forms.Form):
    home = HomeChoiceField(label=_("殡葬服务机构"), queryset=OrgUnit.objects.none())
    deceased_name = forms.CharField(label=_("逝者姓名"), max_length=50)
    deceased_id_number = forms.CharField(
        label=_("逝者身份证号码"), max_length=18, required=False, help_text=_("已登记的人员按身份证号码关联")
    )
    died_on = bounds.DateField(label=_("死亡日期"), widget=DateInput())
    covid_remains = forms.BooleanField(label=_("新冠肺炎患者遗体（按卫生防疫要求处置）"), required=False)
    ceremony_type = forms.ChoiceField(label=_("仪式类型"), choices=CeremonyType.choices)
    service_date = bounds.DateField(label=_("治丧日期"), widget=DateInput())
    attendance = bounds.IntegerField(label=_("参加人数"), min_value=0, max_value=32767, initial=0)
    contact_name = forms.CharField(label=_("家属联系人"), max_length=50)
    contact_phone = forms.CharField(label=_("家属联系电话"), max_length=20)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, homes: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["home"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = homes


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=RemainsStep.choices, widget=forms.HiddenInput)
    done_at = bounds.DateTimeField(label=_("完成时间"), widget=DateTimeInput())
    staff = forms.CharField(label=_("执行人员"), max_length=100)
    vehicle = forms.CharField(label=_("车辆（车牌号）"), max_length=30, required=False)
    protective_equipment = forms.CharField(
        label=_("使用的防护装备"), max_length=200, help_text=_("如：N95 口罩、防护服、护目镜、双层手套")
    )
    issue_item = forms.ChoiceField(
        label=_("同时从库存领用"), choices=[("", _("不领用")), *PPEItem.choices], required=False
    )
    issue_quantity = bounds.IntegerField(
        label=_("领用数量"), min_value=1, max_value=MAX_QUANTITY, required=False
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("issue_item") and not data.get("issue_quantity") and "issue_quantity" not in self.errors:
            self.add_error("issue_quantity", _("请填写领用数量"))
        if data.get("issue_quantity") and not data.get("issue_item") and "issue_item" not in self.errors:
            self.add_error("issue_item", _("请选择领用的物资"))
        if "step" in self.errors:  # hidden: say it where it shows
            self.add_error(None, _("提交的环节无效，请刷新页面后重新记录"))
        return data


class ReceiptForm(forms.Form):
    item = forms.ChoiceField(label=_("物资"), choices=PPEItem.choices)
    quantity = bounds.IntegerField(label=_("数量"), min_value=1, max_value=MAX_QUANTITY)
    supplier = forms.CharField(
        label=_("来源"),
        max_length=100,
        help_text=_("如：上级调拨、采购、捐赠"),
        error_messages={"required": _("请填写物资来源（如上级调拨、采购、捐赠）")},
    )


class IssueForm(forms.Form):
    item = forms.ChoiceField(label=_("物资"), choices=PPEItem.choices)
    quantity = bounds.IntegerField(label=_("数量"), min_value=1, max_value=MAX_QUANTITY)
    issued_to = forms.CharField(label=_("领用人"), max_length=50)
