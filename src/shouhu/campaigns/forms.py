from django import forms
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import KeyDateCategory, Policy, ServiceType, SuspensionMode
from shouhu.campaigns.services import POLICY_FIELDS
from shouhu.common import bounds
from shouhu.common.forms import DateInput


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        formfield_callback = bounds.formfield
        fields = sorted(POLICY_FIELDS)
        widgets = {"implementation_plan_deadline": DateInput()}


class PhaseForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    starts_on = bounds.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = bounds.DateField(label=_("结束日期"), widget=DateInput())
    target = forms.CharField(label=_("目标"), max_length=100, required=False)
    focus = forms.CharField(label=_("工作重点"), widget=forms.Textarea(attrs={"rows": 3}))
    risks = forms.CharField(label=_("主要风险"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CampaignCreateForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    starts_on = bounds.DateField(
        label=_("开始日期"), widget=DateInput(), help_text=_("按方案的三个阶段及其天数生成")
    )


class KeyDateForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=KeyDateCategory.choices)
    starts_on = bounds.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = bounds.DateField(label=_("结束日期"), widget=DateInput(), required=False)
    warning_days = bounds.IntegerField(label=_("提前预警天数"), required=False, min_value=0, max_value=90)


class HolidayYearForm(forms.Form):
    year = bounds.YearField(label=_("年份"), required=False)


class HolidayForm(forms.Form):
    date = bounds.DateField(label=_("日期"), widget=DateInput())
    name = forms.CharField(label=_("名称"), max_length=50)
    is_workday = forms.BooleanField(label=_("调休上班"), required=False)


class SuspensionForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("单位"), coerce=int)
    service = forms.ChoiceField(label=_("服务类型"), choices=ServiceType.choices)
    mode = forms.ChoiceField(label=_("方式"), choices=SuspensionMode.choices)
    starts_on = bounds.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = bounds.DateField(label=_("结束日期"), widget=DateInput())
    reason = forms.CharField(label=_("原因"), max_length=200)
    limit_note = forms.CharField(label=_("限流措施"), max_length=200, required=False)

    def __init__(self, *args: object, units: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


class SuspensionFilterForm(forms.Form):
    service = forms.ChoiceField(
        label=_("服务类型"), required=False, choices=[("", _("全部服务")), *ServiceType.choices]
    )
    active_on = bounds.DateField(label=_("生效日期"), required=False, widget=DateInput())


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("解除原因"), max_length=200)
