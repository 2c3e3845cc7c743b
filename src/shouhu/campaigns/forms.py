from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import KeyDateCategory, ModulePolicy, ServiceType, SuspensionMode
from shouhu.campaigns.policy import policy_fields, policy_models
from shouhu.common import bounds
from shouhu.common.forms import DateInput


def _policy_form(model: type[ModulePolicy]) -> type[forms.ModelForm]:
    fields = policy_fields(model)
    dates = [name for name in fields if isinstance(model._meta.get_field(name), models.DateField)]
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": fields,
            "formfield_callback": bounds.formfield,
            "widgets": {name: DateInput() for name in dates},
        },
    )
    return type(f"{model.__name__}Form", (forms.ModelForm,), {"Meta": meta})


# One form per module's policy, each with every rule of the model: a new rule shows by itself.
POLICY_FORMS: dict[type[ModulePolicy], type[forms.ModelForm]] = {
    model: _policy_form(model) for model in policy_models()
}


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
