from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shouhu.common import bounds
from shouhu.common.forms import DateInput
from shouhu.common.modules import Module
from shouhu.evidence.forms import EvidenceUploadField
from shouhu.orgs.models import OrgUnit
from shouhu.rectification.models import FindingStatus


class FindingFilterForm(forms.Form):
    """The list's filters; `unit` is a unit of the viewer's tree (the Today page links with it)."""

    module = forms.ChoiceField(
        label=_("所属任务"), choices=[("", _("全部任务")), *Module.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部状态")), *FindingStatus.choices], required=False
    )
    unit: forms.ModelChoiceField[OrgUnit] = forms.ModelChoiceField(
        label=_("责任单位"), queryset=OrgUnit.objects.none(), required=False
    )
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)
    q = forms.CharField(label=_("问题描述"), max_length=50, required=False)

    def __init__(
        self, *args: Any, units: QuerySet[OrgUnit], choices: QuerySet[OrgUnit], **kwargs: Any
    ) -> None:
        """`units`: every unit the viewer may filter by (checked on submit); `choices`: the ones
        listed (counties and townships, and the unit asked for), so the list stays short."""
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        asked = self.data.get("unit") if self.is_bound else None
        listed = list(choices)
        if asked and str(asked).isdigit() and all(str(u.pk) != str(asked) for u in listed):
            listed += list(units.filter(pk=int(asked)))
        field.choices = [("", _("全部单位")), *((u.pk, u.name) for u in listed)]


class FindingForm(forms.Form):
    """A finding as a module's page records it (`rectification/_finding_form.html`); the module's
    view passes the cleaned data, its unit and its record to `services.finding_record`."""

    description = forms.CharField(
        label=_("发现的问题"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    assigned_to = forms.CharField(
        label=_("交办对象"),
        max_length=100,
        required=False,
        help_text=_("如：乡镇疫情防控指挥部、县卫健局"),
    )
    deadline = bounds.DateField(label=_("整改期限"), widget=DateInput(), required=False)


class SubmitForm(forms.Form):
    note = forms.CharField(label=_("整改情况"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = EvidenceUploadField()


class AcceptForm(forms.Form):
    note = forms.CharField(label=_("验收意见"), max_length=500, required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
