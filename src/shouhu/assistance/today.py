"""The assistance work of the day on the Today page (X5, X6): visits due or overdue, the
follow-ups of what other modules reported (早发现), households still missing a responsible
person at some level (三级包保). The counting is the selectors'."""

from collections.abc import Callable

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from shouhu.assistance import selectors
from shouhu.assistance.permissions import AssistancePerm
from shouhu.common.modules import Module
from shouhu.common.today import Work, register_work
from shouhu.inquiries import selectors as inquiry_selectors


def _households(**query: int) -> Callable[[int | None], str]:
    """The household list filtered as the work needs, for one unit or every unit in scope."""

    def link(unit_id: int | None) -> str:
        params = dict(query)
        if unit_id is not None:
            params["unit"] = unit_id
        return f"{reverse('assistance:household_list')}?{urlencode(params)}"

    return link


def _follow_ups_link(unit_id: int | None) -> str:
    return reverse("assistance:follow_up_list")


register_work(
    Work(
        key="assistance.visits",
        module=Module.ASSISTANCE,
        title=_("困难家庭走访"),
        deadline=_("按救助类别的走访间隔"),
        permission=AssistancePerm.VIEW,
        count=selectors.today_visits,
        link=_households(overdue=1),
    )
)

register_work(
    Work(
        key="assistance.follow_ups",
        module=Module.ASSISTANCE,
        title=_("早发现事项跟进"),
        deadline=_("发现后按政策天数内处理"),
        permission=AssistancePerm.VIEW,
        count=selectors.today_follow_ups,
        link=_follow_ups_link,
    )
)

register_work(
    Work(
        key="assistance.responsibility",
        module=Module.ASSISTANCE,
        title=_("落实三级包保责任人"),
        deadline=_("尽快落实"),
        permission=AssistancePerm.VIEW,
        count=selectors.today_responsibility_gaps,
        link=_households(missing=1),
    )
)


def _arrears_link(unit_id: int | None) -> str:
    return reverse("assistance:arrears")


def _awaiting_documents_link(unit_id: int | None) -> str:
    return f"{reverse('assistance:grant_list')}?awaiting=1"


register_work(
    Work(
        key="assistance.arrears",
        module=Module.ASSISTANCE,
        title=_("救助金足额发放"),
        deadline=_("每月发放截止日"),
        permission=AssistancePerm.MANAGE,
        count=selectors.today_arrears,
        link=_arrears_link,
    )
)

register_work(
    Work(
        key="assistance.advance_documents",
        module=Module.ASSISTANCE,
        title=_("先行救助补齐要件"),
        deadline=_("发放后按政策天数内"),
        permission=AssistancePerm.MANAGE,
        count=selectors.today_awaiting_documents,
        link=_awaiting_documents_link,
    )
)


def _care_link(unit_id: int | None) -> str:
    return reverse("assistance:care_list")


register_work(
    Work(
        key="assistance.care",
        module=Module.ASSISTANCE,
        title=_("居家隔离困难群众照料"),
        deadline=_("按政策天数送达"),
        permission=AssistancePerm.VIEW,
        count=selectors.today_care,
        link=_care_link,
    )
)


def _hotline_link(unit_id: int | None) -> str:
    return f"{reverse('assistance:hotline_list')}?open=1"


register_work(
    Work(
        key="assistance.hotline",
        module=Module.ASSISTANCE,
        title=_("救助热线来电办理"),
        deadline=_("按政策时限首次答复和办结"),
        permission=AssistancePerm.VIEW,
        count=inquiry_selectors.today_counter(Module.ASSISTANCE),
        link=_hotline_link,
    )
)


def _applications_link(unit_id: int | None) -> str:
    return f"{reverse('assistance:application_list')}?open=1"


register_work(
    Work(
        key="assistance.applications",
        module=Module.ASSISTANCE,
        title=_("低保特困申请办理"),
        deadline=_("申请后按政策天数受理，受理后按政策天数办结"),
        permission=AssistancePerm.VIEW,
        count=selectors.today_applications,
        link=_applications_link,
    )
)
