"""The inbox pages: a user's own alerts, read, acknowledged, followed to their object."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.alerts import selectors, services
from shouhu.alerts.forms import AcknowledgeForm, InboxFilterForm
from shouhu.alerts.models import AlertDelivery
from shouhu.alerts.permissions import AlertPerm
from shouhu.common.errors import DomainError
from shouhu.common.listing import render_list
from shouhu.common.permissions import require
from shouhu.common.redirects import is_local_path


def _state(delivery: AlertDelivery) -> str:
    if delivery.is_acknowledged:
        return "已确认"
    return "已读" if delivery.is_read else "未读"


INBOX_COLUMNS = [
    ("送达时间", lambda d: d.delivered_at),
    ("紧急程度", lambda d: d.alert.get_severity_display()),
    ("类型", lambda d: d.alert.kind_label),
    ("标题", lambda d: d.alert.title),
    ("涉及单位", lambda d: d.alert.unit.name),
    ("状态", _state),
    ("确认说明", lambda d: d.ack_note),
    ("已解除", lambda d: "" if d.alert.is_open else "是"),
]


def _filters(form: InboxFilterForm) -> selectors.InboxFilters:
    if not form.is_valid():
        return selectors.InboxFilters()
    data = form.cleaned_data
    return selectors.InboxFilters(
        unread=data["state"] == "unread",
        unacknowledged=data["state"] == "unacknowledged",
        kind=data["kind"],
        severity=data["severity"],
    )


@login_required
@require_safe
def inbox(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AlertPerm.INBOX)
    form = InboxFilterForm(request.GET or None, kinds=selectors.inbox_kinds(viewer=request.user))
    return render_list(
        request,
        template="alerts/inbox.html",
        queryset=selectors.inbox(viewer=request.user, filters=_filters(form)),
        columns=INBOX_COLUMNS,
        export_name="提醒消息",
        context={"form": form},
        filter_form=form,
    )


@login_required
@require_safe
def alert_detail(request: AuthedHttpRequest, alert_id: int) -> HttpResponse:
    require(request, AlertPerm.INBOX)
    delivery = selectors.access_delivery(request.user, alert_id)
    context = {"delivery": delivery, "alert": delivery.alert, "ack_form": AcknowledgeForm()}
    return render(request, "alerts/alert_detail.html", context)


@login_required
@require_POST
def alert_read(request: AuthedHttpRequest, alert_id: int) -> HttpResponse:
    require(request, AlertPerm.INBOX)
    delivery = selectors.access_delivery(request.user, alert_id)
    services.alert_mark_read(actor=request.user, delivery=delivery)
    return redirect("alerts:inbox")


@login_required
@require_POST
def alert_read_all(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AlertPerm.INBOX)
    count = services.alert_mark_all_read(actor=request.user)
    messages.success(request, f"已将 {count} 条提醒标为已读")
    return redirect("alerts:inbox")


@login_required
@require_POST
def alert_acknowledge(request: AuthedHttpRequest, alert_id: int) -> HttpResponse:
    require(request, AlertPerm.INBOX)
    delivery = selectors.access_delivery(request.user, alert_id)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "说明最多 500 字")
    else:
        try:
            services.alert_acknowledge(actor=request.user, delivery=delivery, note=form.cleaned_data["note"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "已确认收到")
    return redirect("alerts:alert_detail", alert_id=delivery.alert_id)


@login_required
@require_POST
def alert_open(request: AuthedHttpRequest, alert_id: int) -> HttpResponse:
    """Follow the alert to its object: that counts as reading it.

    The link was checked to be a path of this site when the alert was raised; the object's own
    page decides whether this user may see it.
    """
    require(request, AlertPerm.INBOX)
    delivery = selectors.access_delivery(request.user, alert_id)
    services.alert_mark_read(actor=request.user, delivery=delivery)
    link = delivery.alert.link
    if not is_local_path(link):
        return redirect("alerts:alert_detail", alert_id=delivery.alert_id)
    return HttpResponseRedirect(link)
