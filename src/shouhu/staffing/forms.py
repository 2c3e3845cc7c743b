from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shouhu.common import bounds
from shouhu.common.forms import DateInput
from shouhu.orgs.models import OrgUnit
from shouhu.people.models import Person
from shouhu.screening.places import PROVINCE_CHOICES
from shouhu.staffing.models import LeaveKind, LeaveStatus, Transport


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.home_unit.name}）"


def _unit_choices(units: QuerySet[OrgUnit]) -> list[tuple[Any, Any]]:
    return [("", _("全部单位")), *((u.pk, u.name) for u in units)]


class LeaveFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名"), max_length=50, required=False)
    unit = forms.TypedChoiceField(label=_("单位"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部状态")), *LeaveStatus.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("请假类型"), choices=[("", _("全部类型")), *LeaveKind.choices], required=False
    )
    date_from = bounds.DateField(label=_("日期自"), required=False, widget=DateInput())
    date_to = bounds.DateField(label=_("至"), required=False, widget=DateInput())
    overdue = forms.BooleanField(label=_("只看逾期未销假"), required=False)
    mine = forms.BooleanField(label=_("只看本人"), required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _unit_choices(units)  # type: ignore[attr-defined]


class LeaveForm(forms.Form):
    person = PersonChoiceField(label=_("工作人员"), queryset=Person.objects.none())
    kind = forms.ChoiceField(label=_("请假类型"), choices=LeaveKind.choices)
    starts_on = bounds.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = bounds.DateField(label=_("结束日期"), widget=DateInput())
    reason = forms.CharField(label=_("请假事由"), max_length=200)
    destination = forms.CharField(
        label=_("前往地点"), max_length=200, required=False, help_text=_("离开驻地的填写；出行另须报备")
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("不批准理由"), max_length=200)


class ReturnForm(forms.Form):
    returned_on = bounds.DateField(label=_("返岗（销假）日期"), widget=DateInput())


class TravelReturnForm(forms.Form):
    returned_on = bounds.DateField(label=_("实际返回日期"), widget=DateInput())


class TravelFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名"), max_length=50, required=False)
    unit = forms.TypedChoiceField(label=_("单位"), coerce=int, required=False, empty_value=None)
    date_from = bounds.DateField(label=_("日期自"), required=False, widget=DateInput())
    date_to = bounds.DateField(label=_("至"), required=False, widget=DateInput())
    risk = forms.BooleanField(label=_("只看涉中高风险地区"), required=False)
    awaiting = forms.BooleanField(label=_("只看待确认"), required=False)
    away = forms.BooleanField(label=_("只看外出未返回"), required=False)
    mine = forms.BooleanField(label=_("只看本人"), required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _unit_choices(units)  # type: ignore[attr-defined]


class TravelForm(forms.Form):
    person = PersonChoiceField(label=_("工作人员"), queryset=Person.objects.none())
    destination_province = forms.ChoiceField(
        label=_("目的地省份"), choices=[("", _("请选择")), *PROVINCE_CHOICES]
    )
    destination = forms.CharField(
        label=_("目的地（市、县、乡镇、村或具体地点）"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如 石家庄市藁城区", "autocomplete": "off"}),
    )
    departs_on = bounds.DateField(label=_("出发日期"), widget=DateInput())
    returns_on = bounds.DateField(label=_("计划返回日期"), widget=DateInput())
    transport = forms.ChoiceField(label=_("交通方式"), choices=Transport.choices)
    transport_detail = forms.CharField(label=_("车次、航班或车牌"), max_length=50, required=False)
    purpose = forms.CharField(label=_("事由"), max_length=200)

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("确认意见"), max_length=200, required=False)


class EducationFilterForm(forms.Form):
    since = bounds.DateField(label=_("培训日期自"), required=False, widget=DateInput())
