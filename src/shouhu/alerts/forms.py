from django import forms
from django.utils.translation import gettext_lazy as _

from shouhu.alerts.models import Severity


class InboxFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("unread", _("未读")), ("unacknowledged", _("未确认"))],
    )
    kind = forms.ChoiceField(label=_("类型"), required=False)
    severity = forms.ChoiceField(
        label=_("紧急程度"), required=False, choices=[("", _("全部")), *Severity.choices]
    )

    def __init__(self, *args: object, kinds: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [("", _("全部类型")), *kinds]  # type: ignore[attr-defined]


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("说明（可选）"),
        max_length=500,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("说明（可选），如：已安排专人办理"), "aria-label": _("确认说明")}
        ),
    )
