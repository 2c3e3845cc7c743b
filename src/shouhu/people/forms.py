from django import forms
from django.utils.translation import gettext_lazy as _

from shouhu.common import bounds
from shouhu.common.access import MAX_OBJECT_ID
from shouhu.common.forms import DateInput
from shouhu.people.models import Category, ConflictStatus, Gender, IdType, RevealedField


class PersonFilterForm(forms.Form):
    """GET filters. Exact numbers arrive only as blind-index keys, never in the URL as typed."""

    q = forms.CharField(label="姓名", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名"}))
    category = forms.ChoiceField(
        label="人员类别", required=False, choices=[("", "全部类别"), *Category.choices]
    )
    id_key = forms.RegexField(regex=r"^[0-9a-f]{64}$", required=False, widget=forms.HiddenInput)
    phone_key = forms.RegexField(regex=r"^[0-9a-f]{64}$", required=False, widget=forms.HiddenInput)


class PersonFindForm(forms.Form):
    """Exact search by number, posted so the number stays out of URLs, logs and history."""

    id_number = forms.CharField(
        label="证件号码（精确）",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "证件号码（精确）", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label="手机号（精确）",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "手机号（精确）", "autocomplete": "off"}),
    )


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices)
    id_number = forms.CharField(label="证件号码", max_length=30, required=False)
    gender = forms.ChoiceField(label="性别", choices=[("", "按身份证号"), *Gender.choices], required=False)
    birth_date = bounds.DateField(label="出生日期", required=False, widget=DateInput())
    phone = forms.CharField(label="手机号", max_length=20, required=False)
    address = forms.CharField(label="现住址", max_length=200, required=False)
    household_registration = forms.CharField(label="户籍地", max_length=200, required=False)
    home_unit = forms.TypedChoiceField(label="所属单位", coerce=int)
    categories = forms.MultipleChoiceField(
        label="人员类别", choices=Category.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, units: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["home_unit"].choices = units  # type: ignore[attr-defined]


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[(RevealedField.ID_NUMBER, "证件号码"), (RevealedField.PHONE, "手机号")]
    )
    reason = forms.CharField(label="查看事由", max_length=200)


class MergeForm(forms.Form):
    duplicate = bounds.IntegerField(label="要并入本记录的人员编号", min_value=1, max_value=MAX_OBJECT_ID)
    reason = forms.CharField(label="合并原因", max_length=200)


class UnmaskedExportForm(forms.Form):
    reason = forms.CharField(label="导出未脱敏名单的事由", max_length=200)


class ConflictFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *ConflictStatus.choices]
    )


class ConflictResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("处理结果"),
        choices=[("transfer", _("转入申请单位")), ("dismiss", _("不予转入"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("处理说明"), max_length=200)
