from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shouhu.common import bounds
from shouhu.common.forms import DateInput, DateTimeInput
from shouhu.people.models import Person
from shouhu.rescue.models import (
    AssignmentKind,
    EncounterAction,
    Gender,
    GuidanceKind,
    IncidentKind,
    ProvisionKind,
    RescuedPerson,
    RescuedStatus,
    ReturnStatus,
    Transport,
)
from shouhu.screening.models import HealthCode, ItineraryCode

MAX_AGE = 120  # not a policy threshold: the oldest plausible age


def _station_choices(stations: QuerySet[Any]) -> list[tuple[Any, Any]]:
    return [("", _("全部救助站")), *((s.pk, s.name) for s in stations)]


class PatrolForm(forms.Form):
    area = forms.CharField(label=_("巡查区域"), max_length=200, help_text=_("如：火车站广场、桥洞、商业街"))
    started_at = bounds.DateTimeField(label=_("开始时间"), widget=DateTimeInput())
    ended_at = bounds.DateTimeField(label=_("结束时间"), widget=DateTimeInput())
    staff = forms.CharField(label=_("巡查人员"), max_length=200)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)


class EncounterForm(forms.Form):
    place = forms.CharField(label=_("发现地点"), max_length=200)
    description = forms.CharField(
        label=_("人员情况"), max_length=300, help_text=_("性别、大致年龄、体貌特征、身体状况")
    )
    action = forms.ChoiceField(label=_("处置方式"), choices=EncounterAction.choices)
    open_record = forms.BooleanField(label=_("劝导入站：同时开立受助人员记录"), required=False)
    name = forms.CharField(label=_("姓名（自报，可不填）"), max_length=50, required=False)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices, initial=Gender.UNKNOWN)
    approx_age = bounds.IntegerField(label=_("大致年龄"), min_value=0, max_value=MAX_AGE, required=False)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)


class RescuedForm(forms.Form):
    name = forms.CharField(label=_("姓名（自报，可不填）"), max_length=50, required=False)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices, initial=Gender.UNKNOWN)
    approx_age = bounds.IntegerField(label=_("大致年龄"), min_value=0, max_value=MAX_AGE, required=False)
    description = forms.CharField(label=_("体貌特征"), max_length=300, required=False)
    found_place = forms.CharField(label=_("发现（求助）地点"), max_length=200, required=False)
    admitted_at = bounds.DateTimeField(label=_("入站时间"), widget=DateTimeInput())
    note = forms.CharField(label=_("备注"), max_length=300, required=False)


class RescuedFilterForm(forms.Form):
    q = forms.CharField(label=_("编号或姓名"), max_length=50, required=False)
    station = forms.TypedChoiceField(label=_("救助站"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部状态")), *RescuedStatus.choices], required=False
    )
    unmatched = forms.BooleanField(label=_("只看未比对人员登记"), required=False)

    def __init__(self, *args: Any, stations: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].choices = _station_choices(stations)  # type: ignore[attr-defined]


class ProvisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("保障内容"), choices=ProvisionKind.choices)
    provided_on = bounds.DateField(label=_("日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class GuidanceForm(forms.Form):
    kind = forms.ChoiceField(label=_("引导内容"), choices=GuidanceKind.choices)
    done_on = bounds.DateField(label=_("日期"), widget=DateInput())
    note = forms.CharField(label=_("情况"), max_length=300)


class MatchForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18)


class ScreeningForm(forms.Form):
    health_code = forms.ChoiceField(label=_("健康码"), choices=HealthCode.choices)
    itinerary_code = forms.ChoiceField(label=_("行程码"), choices=ItineraryCode.choices)
    itinerary_star = forms.BooleanField(label=_("行程码带星号"), required=False)
    temperature = forms.DecimalField(label=_("体温（℃）"), max_digits=4, decimal_places=1, required=False)
    mask = forms.BooleanField(label=_("佩戴口罩"), required=False, initial=True)
    refused_checks = forms.BooleanField(label=_("拒绝配合查验"), required=False)


class LeaveForm(forms.Form):
    status = forms.ChoiceField(
        label=_("离站方式"),
        choices=[
            (RescuedStatus.LEFT.value, RescuedStatus.LEFT.label),
            (RescuedStatus.TRANSFERRED.value, RescuedStatus.TRANSFERRED.label),
            (RescuedStatus.DECEASED.value, RescuedStatus.DECEASED.label),
        ],
    )
    left_on = bounds.DateField(label=_("离站日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class ReturnForm(forms.Form):
    destination = forms.CharField(label=_("返乡目的地"), max_length=200)
    transport = forms.ChoiceField(label=_("交通方式"), choices=Transport.choices)
    escorted = forms.BooleanField(label=_("派员护送"), required=False)
    receiver = forms.CharField(label=_("接收方"), max_length=100, help_text=_("如：家属姓名、当地救助站"))
    planned_on = bounds.DateField(label=_("计划出发日期"), widget=DateInput())


class DepartForm(forms.Form):
    departed_at = bounds.DateTimeField(label=_("出发时间"), widget=DateTimeInput())


class ArrivalForm(forms.Form):
    arrived_at = bounds.DateTimeField(label=_("到达时间"), widget=DateTimeInput())
    confirmed_by_name = forms.CharField(
        label=_("接收方确认人"), max_length=100, help_text=_("如：家属本人、当地救助站工作人员姓名")
    )
    note = forms.CharField(label=_("确认方式及情况"), max_length=300, required=False)


class AssignmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("任务"), choices=AssignmentKind.choices)
    staff = forms.ModelChoiceField(label=_("工作人员"), queryset=Person.objects.none())
    task_on = bounds.DateField(label=_("任务日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, staff: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = staff


class ReturnFilterForm(forms.Form):
    station = forms.TypedChoiceField(label=_("救助站"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部状态")), *ReturnStatus.choices], required=False
    )
    overdue = forms.BooleanField(label=_("只看逾期未确认到达"), required=False)

    def __init__(self, *args: Any, stations: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].choices = _station_choices(stations)  # type: ignore[attr-defined]


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=IncidentKind.choices)
    occurred_at = bounds.DateTimeField(label=_("发生时间"), widget=DateTimeInput())
    rescued = forms.ModelChoiceField(
        label=_("涉及受助人员"), queryset=RescuedPerson.objects.none(), required=False
    )
    description = forms.CharField(label=_("经过"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, rescued: QuerySet[RescuedPerson], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rescued"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = rescued


class IncidentFilterForm(forms.Form):
    station = forms.TypedChoiceField(label=_("救助站"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部类型")), *IncidentKind.choices], required=False
    )
    open = forms.BooleanField(label=_("只看未结案"), required=False)

    def __init__(self, *args: Any, stations: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].choices = _station_choices(stations)  # type: ignore[attr-defined]


class FollowUpForm(forms.Form):
    text = forms.CharField(label=_("续报情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    liability = forms.TypedChoiceField(
        label=_("是否为责任事故"),
        choices=[("", _("请选择")), ("yes", _("是，责任事故")), ("no", _("否，非责任事故"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
    )
    note = forms.CharField(label=_("结案意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
