import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shouhu.common import bounds, clock
from shouhu.common.forms import DateInput
from shouhu.screening.models import HealthCode, IsolationKind, ItineraryCode, RiskLevel, Verdict
from shouhu.screening.places import PROVINCE_CHOICES
from shouhu.screening.rules import TravelEntry

PROVINCE_OPTIONS = [("", "省份"), *PROVINCE_CHOICES]


class TravelRowForm(forms.Form):
    place = forms.CharField(
        label="地点",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如 北京市朝阳区", "autocomplete": "off"}),
    )
    province = forms.ChoiceField(label="省份", choices=PROVINCE_OPTIONS, required=False)
    arrived_on = bounds.DateField(label="到达日期", required=False, widget=DateInput())
    left_on = bounds.DateField(label="离开日期", required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = data.get("place") or data.get("province") or data.get("left_on")
        if filled and not data.get("arrived_on") and "arrived_on" not in self.errors:
            self.add_error("arrived_on", "请填写到达日期")
        return data

    def entry(self) -> TravelEntry | None:
        data = self.cleaned_data
        if not data.get("arrived_on"):
            return None
        return TravelEntry(
            place=data.get("place", ""),
            province=data.get("province", ""),
            arrived_on=data["arrived_on"],
            left_on=data.get("left_on"),
        )


TravelFormSet = forms.formset_factory(TravelRowForm, extra=3, max_num=10, absolute_max=20)


def travel_formset(data: Any = None) -> Any:
    return TravelFormSet(data, prefix="travel")


def travel_entries(formset: Any) -> list[TravelEntry]:
    return [entry for form in formset.forms if (entry := form.entry()) is not None]


YES, NO = "yes", "no"


def _yes(value: str) -> bool:
    return value == YES


def yes_no(value: bool | None) -> str:
    """A stored yes or no as the codes form's radio value (for a form's initial data)."""
    return "" if value is None else YES if value else NO


class CodesForm(forms.Form):
    """Health code, itinerary code, star and mask: every one answered, nothing preselected.

    A preselected green would let an untouched form admit someone nobody looked at; an
    unanswered question is an error beside it, and the answers given stay on re-display.
    """

    health_code = forms.ChoiceField(
        label=_("健康码"),
        choices=HealthCode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择健康码颜色")},
    )
    itinerary_code = forms.ChoiceField(
        label=_("行程码"),
        choices=ItineraryCode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择行程码颜色")},
    )
    itinerary_star = forms.TypedChoiceField(
        label=_("行程码是否带星号（*）"),
        choices=[(NO, _("不带星号")), (YES, _("带星号"))],
        coerce=_yes,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择行程码是否带星号")},
    )
    mask = forms.TypedChoiceField(
        label=_("口罩"),
        choices=[(YES, _("已佩戴")), (NO, _("未佩戴"))],
        coerce=_yes,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择是否佩戴口罩")},
    )


class ScreeningForm(CodesForm):
    """The staff check: quick temperature buttons, or a typed reading, which wins."""

    temperature = forms.CharField(required=False, widget=forms.HiddenInput)
    temperature_typed = forms.DecimalField(
        label="其他体温",
        required=False,
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal", "placeholder": "如 36.5"}),
    )
    refused_checks = forms.BooleanField(label="拒绝配合查验", required=False)
    visitor_name = forms.CharField(label="姓名", max_length=30, required=False)
    visitor_phone = forms.CharField(
        label="手机号", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def temperature_value(self) -> Decimal | str | None:
        typed = self.cleaned_data.get("temperature_typed")
        if typed is not None:
            return typed
        return self.cleaned_data.get("temperature") or None


class ConfirmForm(ScreeningForm):
    pass


class DeclarationForm(CodesForm):
    """The visitor's own declaration on the venue page (no temperature: staff take it)."""

    visitor_name = forms.CharField(label="姓名", max_length=30)
    visitor_phone = forms.CharField(
        label="手机号",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label="我已阅读并同意上述个人信息处理说明",
        error_messages={"required": "请先阅读并同意个人信息处理说明"},
    )


class DeskSearchForm(forms.Form):
    q = forms.CharField(
        label=_("姓名"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("姓名"), "autocomplete": "off", "autofocus": True}),
    )
    id_key = forms.RegexField(regex=r"^[0-9a-f]{64}$", required=False, widget=forms.HiddenInput)


class DeskFindForm(forms.Form):
    id_number = forms.CharField(
        label=_("证件号码（精确）"),
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": _("证件号码"), "autocomplete": "off"}),
    )


class ScreeningFilterForm(forms.Form):
    """The records list's filters; `q` finds one person's visits (name, ID number or phone)."""

    q = forms.CharField(
        label=_("查找人员"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("姓名、证件号码或手机号"), "autocomplete": "off"}),
    )
    unit = forms.TypedChoiceField(label=_("场所"), coerce=int, required=False, empty_value=None)
    verdict = forms.ChoiceField(
        label=_("结论"), choices=[("", _("全部结论")), *Verdict.choices], required=False
    )
    day = bounds.DateField(label=_("日期"), required=False, widget=DateInput())
    review = forms.BooleanField(label=_("只看需核实的"), required=False)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("全部场所")), *units]  # type: ignore[attr-defined]


class RiskAreaFilterForm(forms.Form):
    q = forms.CharField(label=_("地点"), max_length=50, required=False)
    level = forms.ChoiceField(
        label=_("等级"), choices=[("", _("全部等级")), *RiskLevel.choices], required=False
    )
    active_on = bounds.DateField(label=_("某日生效"), required=False, widget=DateInput())
    history = forms.BooleanField(label=_("含已截止"), required=False)


class RiskAreaForm(forms.Form):
    level = forms.ChoiceField(label="风险等级", choices=RiskLevel.choices)
    province = forms.ChoiceField(label="省（自治区、直辖市）", choices=PROVINCE_OPTIONS)
    city = forms.CharField(label="市（地区、州、盟）", max_length=50, required=False)
    county = forms.CharField(label="县（市、区、旗）", max_length=50, required=False)
    township = forms.CharField(label="乡镇（街道）", max_length=50, required=False)
    community = forms.CharField(label="村（社区）或具体地点", max_length=100, required=False)
    admin_code = forms.CharField(label="行政区划代码", max_length=12, required=False, help_text="已知时填写")
    effective_from = bounds.DateField(label="生效日期", widget=DateInput())
    effective_to = bounds.DateField(
        label="截止日期", required=False, widget=DateInput(), help_text="仍在生效则不填"
    )
    note = forms.CharField(label="备注", max_length=200, required=False)


class RiskAreaEndForm(forms.Form):
    last_day = bounds.DateField(label="最后一天（含）", widget=DateInput())
    note = forms.CharField(label="备注", max_length=200, required=False)


class RiskAreaLevelForm(forms.Form):
    level = forms.ChoiceField(label="新等级", choices=RiskLevel.choices)
    from_day = bounds.DateField(label="自此日起", widget=DateInput())
    note = forms.CharField(label="备注", max_length=200, required=False)


class IsolationFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名"), max_length=50, required=False)
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部类型")), *IsolationKind.choices], required=False
    )
    active = forms.BooleanField(label="只看今日在隔离", required=False)


class IsolationForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=IsolationKind.choices)
    starts_on = bounds.DateField(label=_("开始日期"), widget=DateInput())
    planned_end_on = bounds.DateField(
        label=_("计划解除日期"), required=False, widget=DateInput(), help_text=_("不填则按政策参数的天数计算")
    )
    source = forms.CharField(label=_("信息来源"), max_length=100, help_text=_("如：卫健部门推送、社区排查"))
    confirmed_on = bounds.DateField(
        label=_("确诊日期"),
        required=False,
        widget=DateInput(),
        help_text=_("卫健部门通报为确诊病例的日期；非确诊病例不填"),
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class IsolationEndForm(forms.Form):
    ended_on = bounds.DateField(label=_("解除日期"), widget=DateInput())
    reason = forms.CharField(label=_("提前解除原因"), max_length=200, required=False)


class IsolationConfirmForm(forms.Form):
    confirmed_on = bounds.DateField(label=_("确诊日期"), widget=DateInput())


# A page of figures covers at most a month of days: institutions × days rows, each asked
# whether it was open. Not a policy threshold: the size of one page's question.
FIGURES_MAX_DAYS = 31
FIGURES_DEFAULT_DAYS = 7


class DailyFiguresFilterForm(forms.Form):
    start = bounds.DateField(label=_("起始日期"), required=False, widget=DateInput())
    end = bounds.DateField(label=_("截止日期"), required=False, widget=DateInput())
    gaps = forms.BooleanField(label=_("只看未查验（漏管）的"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        end = data.get("end") or clock.today()
        start = data.get("start") or end - dt.timedelta(days=FIGURES_DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        if (end - start).days >= FIGURES_MAX_DAYS:
            raise forms.ValidationError(f"一次最多查看 {FIGURES_MAX_DAYS} 天")
        data["start"], data["end"] = start, end
        return data
