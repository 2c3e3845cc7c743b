from django import forms

from shouhu.common import bounds
from shouhu.common.forms import DateInput
from shouhu.people.models import Category
from shouhu.vaccination.models import (
    NOT_COMPLETED,
    ContactMethod,
    ContactOutcome,
    ContraindicationSource,
    VaccinationStatus,
)
from shouhu.vaccination.region import RANK_LABELS, VIEW_LABELS

Choices = list[tuple[object, str]]


def _with_choices(form: forms.Form, name: str, choices: Choices) -> None:
    form.fields[name].choices = choices  # type: ignore[attr-defined]


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label="姓名", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名"}))
    status = forms.ChoiceField(
        label="接种状态", required=False, choices=[("", "全部状态"), *VaccinationStatus.choices]
    )
    category = forms.ChoiceField(
        label="人员类别", required=False, choices=[("", "全部类别"), *Category.choices]
    )
    unit = forms.TypedChoiceField(label="单位", required=False, coerce=int, empty_value=None)
    unclear = forms.BooleanField(label="只看身份不清", required=False)

    def __init__(self, *args: object, units: Choices, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _with_choices(self, "unit", [("", "全部单位"), *units])


class TodoFilterForm(forms.Form):
    q = forms.CharField(label="姓名", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名"}))
    status = forms.ChoiceField(
        label="接种状态",
        required=False,
        choices=[("", "全部"), *[(s.value, s.label) for s in NOT_COMPLETED]],
    )
    mobiliser = forms.ChoiceField(
        label="动员人",
        required=False,
        choices=[("", "全部"), ("unassigned", "未指定"), ("assigned", "已指定"), ("mine", "由我动员")],
    )
    unit = forms.TypedChoiceField(label="单位", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: object, units: Choices, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _with_choices(self, "unit", [("", "全部单位"), *units])


class DoseFilterForm(forms.Form):
    q = forms.CharField(label="姓名", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名"}))
    product = forms.TypedChoiceField(label="疫苗产品", required=False, coerce=int, empty_value=None)
    date_from = bounds.DateField(label="接种日期自", required=False, widget=DateInput())
    date_to = bounds.DateField(label="至", required=False, widget=DateInput())

    def __init__(self, *args: object, products: Choices, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _with_choices(self, "product", [("", "全部疫苗"), *products])


class DoseForm(forms.Form):
    vaccinated_on = bounds.DateField(label="接种日期", widget=DateInput())
    product = forms.TypedChoiceField(label="疫苗产品", coerce=int)
    dose_number = forms.TypedChoiceField(label="剂次", coerce=int)
    place = forms.CharField(label="接种单位", max_length=100, required=False)

    def __init__(self, *args: object, products: Choices, max_dose: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _with_choices(self, "product", products)
        _with_choices(self, "dose_number", [(n, f"第{n}剂") for n in range(1, max_dose + 1)])


class ContraindicationForm(forms.Form):
    condition = forms.CharField(label="禁忌情况", max_length=200)
    source = forms.ChoiceField(label="依据", choices=ContraindicationSource.choices)
    source_detail = forms.CharField(label="出具单位或证明", max_length=200, required=False)
    noted_on = bounds.DateField(label="登记日期", required=False, widget=DateInput(), help_text="留空为今天")


class LiftForm(forms.Form):
    reason = forms.CharField(label="解除原因", max_length=200)


class DeferralForm(forms.Form):
    reason = forms.CharField(label="暂缓原因", max_length=200)
    until = bounds.DateField(label="暂缓至", widget=DateInput(), help_text="含当日；次日起重新列入待接种名单")


class MobiliserForm(forms.Form):
    mobiliser_user = forms.TypedChoiceField(
        label="动员人（工作人员）", required=False, coerce=int, empty_value=None
    )
    mobiliser_name = forms.CharField(
        label="或：动员人姓名",
        max_length=50,
        required=False,
        help_text="不是系统用户时填写，如村医、网格员、亲属",
    )
    mobiliser_role = forms.CharField(label="动员人身份", max_length=50, required=False)

    def __init__(self, *args: object, users: Choices, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _with_choices(self, "mobiliser_user", [("", "—"), *users])


class ContactForm(forms.Form):
    contacted_on = bounds.DateField(label="联系日期", widget=DateInput())
    method = forms.ChoiceField(label="方式", choices=ContactMethod.choices)
    outcome = forms.ChoiceField(label="结果", choices=ContactOutcome.choices)
    next_step = forms.CharField(label="下一步", max_length=200, required=False)
    next_contact_on = bounds.DateField(label="下次联系日期", required=False, widget=DateInput())


class ReportSubmitForm(forms.Form):
    period_start = bounds.DateField(widget=forms.HiddenInput())
    note = forms.CharField(
        label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RegionForm(forms.Form):
    view = forms.ChoiceField(label="视图", required=False, choices=list(VIEW_LABELS.items()))
    sort = forms.ChoiceField(label="排序", required=False, choices=list(RANK_LABELS.items()))


class CircularForm(forms.Form):
    as_of = bounds.DateField(label="截至日期", required=False, widget=DateInput())
