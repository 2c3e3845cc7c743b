import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.policy import current_policy
from shouhu.common import bounds, clock
from shouhu.common.access import MAX_OBJECT_ID
from shouhu.common.forms import DateInput
from shouhu.marriage.models import HallTask, MarriagePolicy, RecipientKind, SlotPlan
from shouhu.marriage.selectors import public_registries, recipient_unit_choices
from shouhu.orgs.models import OrgUnit
from shouhu.people.models import IdType

# The register's labels, translatable here: the public page is read in English too (the register's
# own labels stay as they are, its imports read them).
PARTY_ID_TYPES = [
    (IdType.RESIDENT_ID.value, _("居民身份证")),
    (IdType.HK_MACAO_PERMIT.value, _("港澳居民来往内地通行证")),
    (IdType.TAIWAN_PERMIT.value, _("台湾居民来往大陆通行证")),
    (IdType.PASSPORT.value, _("外国护照")),
    (IdType.FOREIGN_PERMANENT.value, _("外国人永久居留身份证")),
]


class RegistryChoiceField(forms.ModelChoiceField):
    """A registry id from a public form: anything but a plausible id is simply "not a choice"."""

    def to_python(self, value: Any) -> Any:
        text = str(value or "").strip()
        if text and (not (text.isascii() and text.isdigit()) or int(text) > MAX_OBJECT_ID):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class DayChoiceForm(forms.Form):
    unit = RegistryChoiceField(
        label=_("婚姻登记机关"), queryset=public_registries(), empty_label=_("请选择（全区通办）")
    )
    date = bounds.DateField(label=_("登记日期"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = public_registries()  # type: ignore[attr-defined]
        # The phone's date picker offers the days that can be booked (the service still decides).
        today = clock.today()
        horizon = dt.timedelta(days=current_policy(MarriagePolicy, today).booking_horizon_days)
        self.fields["date"].widget.attrs.update(min=today.isoformat(), max=(today + horizon).isoformat())


class BookingForm(DayChoiceForm):
    slot = bounds.IntegerField(
        label=_("时段"), min_value=1, max_value=2**31 - 1, error_messages={"required": _("请选择时段")}
    )
    a_name = forms.CharField(label=_("姓名"), max_length=30)
    a_id_type = forms.ChoiceField(label=_("证件类型"), choices=PARTY_ID_TYPES)
    a_id_number = forms.CharField(label=_("证件号码"), max_length=30)
    a_phone = forms.CharField(label=_("手机号"), max_length=20)
    b_name = forms.CharField(label=_("姓名"), max_length=30)
    b_id_type = forms.ChoiceField(label=_("证件类型"), choices=PARTY_ID_TYPES)
    b_id_number = forms.CharField(label=_("证件号码"), max_length=30)
    b_phone = forms.CharField(label=_("手机号"), max_length=20)
    join_waitlist = forms.BooleanField(label=_("时段约满时登记候补"), required=False)
    consent = forms.BooleanField(
        label=_("我已阅读个人信息处理说明，同意为预约登记处理上述信息"),
        error_messages={"required": _("须同意个人信息处理说明后才能预约")},
    )


class CodeForm(forms.Form):
    code_a = forms.CharField(
        label=_("当事人甲收到的验证码"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    code_b = forms.CharField(
        label=_("当事人乙收到的验证码"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class LookupForm(forms.Form):
    code = forms.CharField(label=_("预约码"), max_length=16)
    phone = forms.CharField(label=_("任一方当事人手机号"), max_length=20)


class RescheduleForm(DayChoiceForm):
    slot = bounds.IntegerField(label=_("新时段"), min_value=1, max_value=2**31 - 1)


class SettingsForm(forms.Form):
    daily_quota = bounds.IntegerField(label=_("每日总量（对）"), required=False, min_value=1, max_value=1000)
    open_weekdays = forms.CharField(label=_("每周办理日"), max_length=7, help_text=_("如 12345 为周一至周五"))
    extra_notice = forms.CharField(
        label=_("补充告知事项"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SlotTemplateForm(forms.Form):
    plan = forms.ChoiceField(label=_("适用"), choices=SlotPlan.choices)
    starts_at = forms.TimeField(label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label=_("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    share = bounds.IntegerField(label=_("份额"), min_value=1, max_value=100, initial=1)


class DateOverrideForm(forms.Form):
    OPEN_CHOICES = [("", _("按规则")), ("1", _("办理")), ("0", _("不办理"))]
    date = bounds.DateField(label=_("日期"), widget=DateInput())
    is_open = forms.ChoiceField(label=_("是否办理"), choices=OPEN_CHOICES, required=False)
    daily_quota = bounds.IntegerField(label=_("当日总量"), required=False, min_value=1, max_value=1000)
    note = forms.CharField(label=_("说明"), max_length=100, required=False)


class SurgeDateForm(forms.Form):
    date = bounds.DateField(label=_("日期"), widget=DateInput())
    name = forms.CharField(label=_("名称"), max_length=50)
    daily_quota = bounds.IntegerField(label=_("当日总量"), required=False, min_value=1, max_value=1000)
    booking_opens_days = bounds.IntegerField(
        label=_("提前开放预约天数"), required=False, min_value=0, max_value=180
    )


class CounterLookupForm(forms.Form):
    code = forms.CharField(label=_("预约码"), max_length=16)


class ScreenForm(forms.Form):
    # Text: the service reads and bounds the temperature, with the message a clerk needs.
    temperature = forms.CharField(
        label=_("体温（℃）"), max_length=8, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def __init__(self, *args: Any, questions: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q_{question.key}"] = forms.TypedChoiceField(
                label=question.label,
                choices=[("1", _("是")), ("0", _("否"))],
                coerce=lambda v: v == "1",
                widget=forms.RadioSelect,
            )

    def problems(self) -> str:
        """The form's errors as one line a clerk can act on."""
        lines = []
        for name, errors in self.errors.items():
            text = "、".join(str(error) for error in errors)
            lines.append(f"{self.fields[name].label}：{text}" if name in self.fields else text)
        return "；".join(lines)

    def answers(self) -> dict[str, bool]:
        return {q.key: self.cleaned_data[f"q_{q.key}"] for q in self.questions}


class CloseReportForm(forms.Form):
    outcome = forms.CharField(label=_("处理结果"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ReportRecipientForm(forms.Form):
    kind = forms.ChoiceField(label=_("报告对象"), choices=RecipientKind.choices)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("单位（指定单位时）"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = recipient_unit_choices()  # type: ignore[attr-defined]


class HallLogForm(forms.Form):
    task = forms.ChoiceField(label=_("项目"), choices=HallTask.choices)
    done_at = bounds.DateTimeField(
        label=_("时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
