"""Page forms: they parse what was typed; the rules live in services."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shouhu.common import bounds
from shouhu.common.access import MAX_OBJECT_ID
from shouhu.common.forms import DateInput, DateTimeInput
from shouhu.eldercare.models import ChecklistItem, Direction, RoundScope, Symptom, TestOutcome
from shouhu.people.models import Person


def _people_choices(people: list[Person]) -> list[tuple[int, str]]:
    return [(p.pk, p.name) for p in people]


class ClosureForm(forms.Form):
    starts_on = bounds.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = bounds.DateField(
        label=_("结束日期"),
        required=False,
        widget=DateInput(),
        help_text=_("通知已写明解除日期的填写；否则留空，解除时再填"),
    )
    directive = forms.CharField(label=_("依据的通知或指令"), max_length=300)


class ClosureEndForm(forms.Form):
    last_day = bounds.DateField(label=_("最后封闭日"), widget=DateInput())
    note = forms.CharField(label=_("解除说明"), max_length=300, required=False)


class MovementForm(forms.Form):
    person = forms.TypedChoiceField(label=_("人员"), coerce=int)
    direction = forms.ChoiceField(label=_("方向"), choices=Direction.choices, widget=forms.RadioSelect)
    purpose = forms.CharField(label=_("事由"), max_length=200)
    approver = forms.CharField(label=_("批准人（特殊情况）"), max_length=50, required=False)
    approval_reason = forms.CharField(label=_("批准理由（特殊情况）"), max_length=200, required=False)

    def __init__(self, *args: object, people: list[Person], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["person"].choices = _people_choices(people)  # type: ignore[attr-defined]


class ShiftForm(forms.Form):
    person = forms.TypedChoiceField(label=_("工作人员"), coerce=int)
    starts_at = bounds.DateTimeField(label=_("上班时间"), widget=DateTimeInput())
    ends_at = bounds.DateTimeField(label=_("下班时间"), widget=DateTimeInput())
    post = forms.CharField(label=_("岗位"), max_length=50, required=False)

    def __init__(self, *args: object, staff: list[Person], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["person"].choices = _people_choices(staff)  # type: ignore[attr-defined]


class RoundForm(forms.Form):
    tested_on = bounds.DateField(label=_("检测日期"), widget=DateInput())
    scope = forms.ChoiceField(
        label=_("检测范围"), choices=RoundScope.choices, initial=RoundScope.EVERYONE, widget=forms.RadioSelect
    )
    people = forms.TypedMultipleChoiceField(
        label=_("指定名单（范围为指定名单时勾选）"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: object, people: list[Person], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["people"].choices = _people_choices(people)  # type: ignore[attr-defined]


RESULT_CHOICES = [(v, label) for v, label in TestOutcome.choices if v]


class ResultForm(forms.Form):
    person = bounds.IntegerField(min_value=1, max_value=MAX_OBJECT_ID)
    result = forms.ChoiceField(label=_("结果"), choices=RESULT_CHOICES)
    reason = forms.CharField(label=_("未采样原因"), max_length=200, required=False)


class HealthCheckForm(forms.Form):
    person = bounds.IntegerField(min_value=1, max_value=MAX_OBJECT_ID)
    temperature = forms.CharField(label=_("体温（℃）"), max_length=8)
    symptoms = forms.MultipleChoiceField(
        label=_("症状"), choices=Symptom.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class ItemsField(forms.ModelMultipleChoiceField):
    """Refuses a posted id the database cannot hold before it reaches a query (else a 500)."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else ():
            if not str(pk).isdigit() or int(pk) > MAX_OBJECT_ID:
                raise ValidationError(_("请从列表中选择检查事项"), code="invalid_pk_value")
        return super().clean(value)


class DailyLogForm(forms.Form):
    day = bounds.DateField(label=_("日期"), widget=DateInput())
    done_items = ItemsField(
        label=_("已落实事项"),
        queryset=ChecklistItem.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("情况说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DayForm(forms.Form):
    day = bounds.DateField(required=False)


class ChecklistItemForm(forms.Form):
    label = forms.CharField(label=_("检查事项"), max_length=100)
    hint = forms.CharField(label=_("说明"), max_length=200, required=False)
    order = bounds.IntegerField(label=_("顺序"), min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
