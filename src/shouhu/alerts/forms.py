from django import forms

from shouhu.alerts.models import Severity


class InboxFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), ("unread", "未读"), ("unacknowledged", "未确认")],
    )
    kind = forms.ChoiceField(label="类型", required=False)
    severity = forms.ChoiceField(label="紧急程度", required=False, choices=[("", "全部"), *Severity.choices])

    def __init__(self, *args: object, kinds: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [("", "全部类型"), *kinds]  # type: ignore[attr-defined]


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="说明（可选）",
        max_length=500,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": "说明（可选），如：已安排专人办理", "aria-label": "确认说明"}
        ),
    )
