"""Staff pages of the outbox: every message kept, filterable, re-sendable."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.common.listing import render_list
from shouhu.common.permissions import require
from shouhu.notifications import selectors, services
from shouhu.notifications.models import MessageStatus
from shouhu.notifications.permissions import NotificationPerm


@login_required
@require_safe
def message_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, NotificationPerm.VIEW)
    status = request.GET.get("status", "")
    status = status if status in MessageStatus.values else ""
    filters = selectors.OutboxFilters(status=status, phone=request.GET.get("phone", "")[:20])
    return render_list(
        request,
        template="notifications/message_list.html",
        queryset=selectors.message_list(viewer=request.user, filters=filters),
        columns=[
            ("时间", lambda m: m.created_at),
            ("单位", lambda m: m.unit.name),
            ("手机号", lambda m: m.phone_masked),
            ("内容", lambda m: m.body),
            ("状态", lambda m: m.get_status_display()),
            ("发送次数", lambda m: m.attempts),
        ],
        export_name="短信发件箱",
        context={
            "status": status,
            "phone": filters.phone,
            "statuses": MessageStatus.choices,
            "can_resend": request.user.has_code(NotificationPerm.RESEND),
        },
    )


@login_required
@require_POST
def message_resend(request: AuthedHttpRequest, outbox_message_id: int) -> HttpResponse:
    require(request, NotificationPerm.RESEND)
    message = selectors.access_message(request.user, outbox_message_id)
    sent = services.message_resend(actor=request.user, message=message)
    if sent.status == MessageStatus.SENT:
        messages.success(request, f"已重新发送至 {sent.phone_masked}")
    else:
        messages.error(request, f"发送失败：{sent.last_error}")
    return redirect("notifications:message_list")
