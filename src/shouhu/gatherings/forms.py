from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shouhu.common import bounds
from shouhu.common.forms import DateInput, DateTimeInput
from shouhu.gatherings.models import GatheringKind, GatheringStatus, TestResult
from shouhu.gatherings.services import MAX_HEADCOUNT
from shouhu.orgs.models import OrgUnit


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class GatheringFilterForm(forms.Form):
    q = forms.CharField(label=_("活动或举办人"), max_length=50, required=False)
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部状态")), *GatheringStatus.choices], required=False
    )
    village = forms.TypedChoiceField(label=_("村（社区）"), coerce=int, required=False, empty_value=None)
    date_from = bounds.DateField(label=_("开始日期自"), required=False, widget=DateInput())
    date_to = bounds.DateField(label=_("至"), required=False, widget=DateInput())
    needs_test = forms.BooleanField(label=_("只看有人待检测"), required=False)

    def __init__(self, *args: Any, villages: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("全部村（社区）")), *((v.pk, v.name) for v in villages)]  # type: ignore[attr-defined]


class GatheringForm(forms.Form):
    village = VillageChoiceField(label=_("村（社区）"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label=_("活动类型"), choices=GatheringKind.choices)
    title = forms.CharField(label=_("活动名称"), max_length=100, help_text=_("如：王某某、李某某婚宴"))
    organiser_name = forms.CharField(label=_("举办人"), max_length=50)
    organiser_phone = forms.CharField(label=_("举办人联系电话"), max_length=20)
    place = forms.CharField(label=_("举办地点"), max_length=200)
    starts_at = bounds.DateTimeField(label=_("开始时间"), widget=DateTimeInput())
    ends_at = bounds.DateTimeField(label=_("结束时间"), widget=DateTimeInput())
    expected_headcount = bounds.IntegerField(label=_("预计人数"), min_value=1, max_value=MAX_HEADCOUNT)
    booking_code = forms.CharField(
        label=_("婚姻登记预约码（选填）"),
        max_length=16,
        required=False,
        help_text=_("婚宴关联新人的婚姻登记预约"),
    )
    booking_phone = forms.CharField(
        label=_("预约时登记的手机号"),
        max_length=20,
        required=False,
        help_text=_("填写预约码时，核对新人一方的手机号"),
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, villages: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = villages


class FromFuneralForm(forms.Form):
    village = VillageChoiceField(label=_("举办地村（社区）"), queryset=OrgUnit.objects.none())
    place = forms.CharField(label=_("举办地点"), max_length=200)
    starts_at = bounds.DateTimeField(label=_("开始时间"), widget=DateTimeInput())
    ends_at = bounds.DateTimeField(label=_("结束时间"), widget=DateTimeInput())
    expected_headcount = bounds.IntegerField(label=_("预计人数"), min_value=1, max_value=MAX_HEADCOUNT)

    def __init__(self, *args: Any, villages: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = villages


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("审批意见"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=300, required=False)


class ParticipantForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("证件号码"), max_length=30, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    test_result = forms.ChoiceField(
        label=_("核酸检测结果"), choices=TestResult.choices, initial=TestResult.NONE
    )
    sampled_at = bounds.DateTimeField(
        label=_("采样时间"), required=False, widget=DateTimeInput(), help_text=_("未检测不填")
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("名单文件（xlsx 或 CSV）"))
    mode = forms.ChoiceField(
        label=_("方式"),
        choices=[
            ("check", _("只预检，不写入")),
            ("all", _("导入（有错误行则全部不导入）")),
            ("valid", _("只导入无误的行")),
        ],
        initial="check",
        widget=forms.RadioSelect,
    )


class DoorForm(forms.Form):
    q = forms.CharField(
        label=_("姓名或证件号码"),
        max_length=30,
        required=False,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "placeholder": _("姓名或证件号码")}
        ),
    )
