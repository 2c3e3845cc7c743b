from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shouhu.common import bounds
from shouhu.common.forms import DateInput
from shouhu.common.modules import Module
from shouhu.training.models import MAX_HOURS, Audience

IMPORT_MODES = [
    ("check", _("只检查，不导入")),
    ("all", _("导入（有错误时不导入任何行）")),
    ("valid", _("只导入无误的行")),
]


class SessionFilterForm(forms.Form):
    module = forms.ChoiceField(
        label=_("所属任务"), choices=[("", _("全部任务")), *Module.choices], required=False
    )
    q = forms.CharField(label=_("培训内容"), max_length=50, required=False)
    date_from = bounds.DateField(label=_("培训日期自"), required=False, widget=DateInput())
    date_to = bounds.DateField(label=_("至"), required=False, widget=DateInput())


class SessionForm(forms.Form):
    module = forms.ChoiceField(label=_("所属任务"), choices=Module.choices)
    held_on = bounds.DateField(label=_("培训日期"), widget=DateInput())
    topic = forms.CharField(label=_("培训内容"), max_length=200, help_text=_("如：疫情防控政策和工作要求"))
    audience = forms.MultipleChoiceField(
        label=_("培训对象"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple
    )
    trainer = forms.CharField(label=_("授课人"), max_length=100)
    place = forms.CharField(label=_("培训地点"), max_length=200, required=False)
    hours = forms.DecimalField(
        label=_("培训时长（小时）"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=MAX_HOURS,
    )

    def __init__(self, *args: Any, fixed_module: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_module:  # a session's module stays what it was recorded for
            del self.fields["module"]


class AttendeeByDocumentForm(forms.Form):
    id_number = forms.CharField(label=_("证件号码"), max_length=18)
    role = forms.ChoiceField(label=_("参训身份"), choices=Audience.choices)

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles  # type: ignore[attr-defined]


class AttendeePickForm(forms.Form):
    person = bounds.IntegerField(widget=forms.HiddenInput, min_value=1)
    role = forms.ChoiceField(label=_("参训身份"), choices=Audience.choices)

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles  # type: ignore[attr-defined]


class AttendeeSearchForm(forms.Form):
    q = forms.CharField(label=_("按姓名查找"), max_length=50, required=False)


class AttendanceImportForm(forms.Form):
    file = forms.FileField(label=_("文件（xlsx 或 csv，UTF-8 或 GB18030 编码）"))
    mode = forms.ChoiceField(label=_("方式"), choices=IMPORT_MODES, initial="check", widget=forms.RadioSelect)
