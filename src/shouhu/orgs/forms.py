from django import forms

from shouhu.orgs.models import InstitutionType, UnitKind, UnitStatus


class UnitFilterForm(forms.Form):
    q = forms.CharField(
        label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "名称或编码"})
    )
    kind = forms.ChoiceField(label="层级类型", required=False, choices=[("", "全部层级"), *UnitKind.choices])
    institution_type = forms.ChoiceField(
        label="机构类别", required=False, choices=[("", "全部类别"), *InstitutionType.choices]
    )
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *UnitStatus.choices])
    county = forms.TypedChoiceField(label="县（市、区）", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: object, counties: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["county"].choices = [("", "全部县（市、区）"), *counties]  # type: ignore[attr-defined]


class UnitEditForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    address = forms.CharField(label="地址", max_length=200, required=False)
    contact_person = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    status = forms.ChoiceField(label="状态", choices=UnitStatus.choices)


class TreeImportForm(forms.Form):
    file = forms.FileField(label="文件（xlsx 或 csv）")
    import_valid_rows = forms.BooleanField(label="只导入无误的行", required=False)
