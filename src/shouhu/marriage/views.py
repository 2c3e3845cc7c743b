"""Staff pages of marriage registration: registries and their rules, the day, the counter,
non-compliance reports, the hall log and daily counts. Thin: forms in, services out."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.campaigns import selectors as campaign_selectors
from shouhu.campaigns.permissions import CampaignPerm
from shouhu.campaigns.policy import current_policies, current_policy
from shouhu.common import bounds, clock
from shouhu.common.access import MAX_OBJECT_ID
from shouhu.common.errors import DomainError
from shouhu.common.forms import add_domain_error, form_status
from shouhu.common.listing import render_list
from shouhu.common.permissions import require
from shouhu.marriage import selectors, services
from shouhu.marriage.calendar import day_plan, registry_settings
from shouhu.marriage.forms import (
    CloseReportForm,
    CounterLookupForm,
    DateOverrideForm,
    HallLogForm,
    ReportRecipientForm,
    ScreenForm,
    SettingsForm,
    SlotTemplateForm,
    SurgeDateForm,
)
from shouhu.marriage.models import BookingStatus, MarriagePolicy, ReportStatus
from shouhu.marriage.permissions import MarriagePerm
from shouhu.screening.models import ScreeningPolicy

ONE_DAY = dt.timedelta(1)  # not a policy threshold: the calendar's next day


def _object_id(raw: str | None) -> int | None:
    """An id from a query string, or None for anything a database could not hold (no 500)."""
    text = (raw or "").strip()
    if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_OBJECT_ID:
        return int(text)
    return None


def _fail(request: AuthedHttpRequest, error: DomainError) -> None:
    messages.error(request, error.message)


# --- Registries and their rules (M1, M5) --------------------------------------------------------


@login_required
@require_safe
def registry_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, MarriagePerm.VIEW)
    today = clock.today()
    affected = [
        (s, bookings)
        for s, bookings in selectors.suspensions_affecting(viewer=request.user, on=today)
        if bookings
    ]
    can_manage = request.user.has_code(MarriagePerm.MANAGE)
    # Notices are sent by who manages the suspension's unit (a registry's clerk sees the county's).
    notifiable = (
        set(
            campaign_selectors.suspension_list(viewer=request.user)
            .filter(pk__in=[s.pk for s, _bookings in affected])
            .values_list("pk", flat=True)
        )
        if can_manage and affected
        else set()
    )
    context = {
        "rows": [(c.unit, c) for c in selectors.daily_counts(viewer=request.user, day=today)],
        "affected": [(s, bookings, s.pk in notifiable) for s, bookings in affected],
        "today": today,
        "can_manage": can_manage,
    }
    return render(request, "marriage/registry_list.html", context)


@login_required
def registry_detail(request: AuthedHttpRequest, registry_id: int) -> HttpResponse:
    require(request, MarriagePerm.VIEW)
    unit = selectors.access_registry(request.user, registry_id)
    stored = registry_settings(unit)
    settings_form = SettingsForm(
        initial={
            "daily_quota": stored.daily_quota,
            "open_weekdays": stored.open_weekdays,
            "extra_notice": stored.extra_notice,
        }
    )
    template_form = SlotTemplateForm()
    override_form = DateOverrideForm()
    if request.method == "POST":
        require(request, MarriagePerm.MANAGE)
        action = request.POST.get("action")
        try:
            if action == "settings":
                settings_form = SettingsForm(request.POST)
                if settings_form.is_valid():
                    data = settings_form.cleaned_data
                    services.registry_settings_update(
                        actor=request.user,
                        unit=unit,
                        daily_quota=data["daily_quota"],
                        open_weekdays=data["open_weekdays"],
                        extra_notice=data["extra_notice"],
                    )
                    messages.success(request, _("已保存"))
                    return redirect("marriage:registry_detail", registry_id=unit.pk)
            elif action == "template":
                template_form = SlotTemplateForm(request.POST)
                if template_form.is_valid():
                    services.slot_template_add(actor=request.user, unit=unit, **template_form.cleaned_data)
                    messages.success(request, _("已添加时段"))
                    return redirect("marriage:registry_detail", registry_id=unit.pk)
            elif action == "override":
                override_form = DateOverrideForm(request.POST)
                if override_form.is_valid():
                    data = override_form.cleaned_data
                    services.date_override_set(
                        actor=request.user,
                        unit=unit,
                        date=data["date"],
                        is_open={"1": True, "0": False}.get(data["is_open"]),
                        daily_quota=data["daily_quota"],
                        note=data["note"],
                    )
                    messages.success(request, _("已调整"))
                    return redirect("marriage:registry_detail", registry_id=unit.pk)
        except DomainError as error:
            form = {"settings": settings_form, "template": template_form}.get(action or "", override_form)
            add_domain_error(form, error)
    context = {
        "unit": unit,
        "settings_form": settings_form,
        "template_form": template_form,
        "override_form": override_form,
        "templates": selectors.slot_template_list(unit=unit),
        "overrides": selectors.upcoming_date_overrides(unit=unit),
        "policy": current_policy(MarriagePolicy),
        "can_manage": request.user.has_code(MarriagePerm.MANAGE),
    }
    return render(request, "marriage/registry_detail.html", context)


@login_required
@require_POST
def slot_template_delete(request: AuthedHttpRequest, slot_template_id: int) -> HttpResponse:
    require(request, MarriagePerm.MANAGE)
    template = selectors.access_slot_template(request.user, slot_template_id)
    unit_id = template.unit_id
    try:
        services.slot_template_remove(actor=request.user, template=template)
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("已删除时段，以后各日的名额已按新的时段分配"))
    return redirect("marriage:registry_detail", registry_id=unit_id)


@login_required
@require_safe
def day_view(request: AuthedHttpRequest, registry_id: int) -> HttpResponse:
    require(request, MarriagePerm.VIEW)
    unit = selectors.access_registry(request.user, registry_id)
    day = bounds.query_day(request.GET, "date", label=_("日期")) or clock.today()
    policy = current_policy(MarriagePolicy, day)
    context = {
        "unit": unit,
        "day": day,
        "plan": day_plan(unit, day, policy=policy),
        "slots": selectors.slot_list(unit=unit, day=day),
        "bookings": list(
            selectors.booking_list(
                viewer=request.user, filters=selectors.BookingFilters(unit=unit.pk, date=day)
            )
        ),
        "previous": day - ONE_DAY,
        "next": day + ONE_DAY,
    }
    return render(request, "marriage/day_view.html", context)


@login_required
def surge_date_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, MarriagePerm.VIEW)
    form = SurgeDateForm()
    can_edit = request.user.has_code(CampaignPerm.MANAGE)
    if request.method == "POST":
        require(request, CampaignPerm.MANAGE)
        if request.POST.get("action") == "sync":
            try:
                made = services.surge_dates_sync_upcoming(actor=request.user)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("marriage:surge_date_list")
            if made:
                dates = "、".join(f"{day:%Y-%m-%d}" for day in made)
                messages.success(
                    request, _("已生成 %(count)s 个高峰日：%(dates)s") % {"count": len(made), "dates": dates}
                )
            else:
                messages.info(
                    request, _("即将到来的 520、521、七夕均已设为高峰日（或当日已有预约），没有新生成")
                )
            return redirect("marriage:surge_date_list")
        form = SurgeDateForm(request.POST)
        if form.is_valid():
            try:
                services.surge_date_set(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("已保存"))
                return redirect("marriage:surge_date_list")
    context = {
        "surges": selectors.upcoming_surge_dates(),
        "form": form,
        "can_edit": can_edit,
        "policy": current_policy(MarriagePolicy),
    }
    return render(request, "marriage/surge_date_list.html", context, status=form_status(form))


@login_required
@require_POST
def suspension_notify(request: AuthedHttpRequest, suspension_id: int) -> HttpResponse:
    require(request, MarriagePerm.MANAGE)
    suspension = selectors.access_marriage_suspension(request.user, suspension_id)
    told = services.suspension_notify(suspension=suspension)
    if told:
        messages.success(request, _("已通知 %(count)s 个预约") % {"count": told})
    else:
        # The texts go out when the suspension is registered: a second press finds nobody new.
        messages.info(
            request, _("该暂停范围内的预约均已通知过（登记暂停时已自动发送短信），没有需要再通知的")
        )
    return redirect("marriage:registry_list")


# --- The counter (M3, M4) ------------------------------------------------------------------------


@login_required
def counter(request: AuthedHttpRequest) -> HttpResponse:
    require(request, MarriagePerm.COUNTER)
    form = CounterLookupForm(request.GET or None)
    if form.is_valid():
        booking = selectors.booking_by_code(viewer=request.user, code=form.cleaned_data["code"])
        if booking is not None:
            return redirect("marriage:booking_detail", booking_id=booking.pk)
        form.add_error("code", _("未找到该预约码"))
    today = clock.today()
    bookings = selectors.booking_list(viewer=request.user, filters=selectors.BookingFilters(date=today))
    context = {"form": form, "bookings": list(bookings[:200]), "today": today}
    return render(request, "marriage/counter.html", context)


@login_required
def booking_detail(request: AuthedHttpRequest, booking_id: int) -> HttpResponse:
    require(request, MarriagePerm.VIEW)
    booking = selectors.access_booking(request.user, booking_id)
    policy, screening = current_policies(MarriagePolicy, ScreeningPolicy)
    parties = selectors.booking_parties(booking)
    screen_forms: dict[int, ScreenForm] = {
        p.pk: ScreenForm(questions=selectors.questions_for(p, policy, screening), prefix=f"p{p.pk}")
        for p in parties
    }
    if request.method == "POST":
        require(request, MarriagePerm.COUNTER)
        action = request.POST.get("action", "")
        try:
            if action == "check_in":
                services.counter_check_in(actor=request.user, booking=booking)
            elif action == "register":
                services.booking_register_done(actor=request.user, booking=booking)
            elif action == "cancel":
                # Stored as it is typed (status notes are data, in Chinese like the default).
                reason = request.POST.get("reason", "").strip()[:100]
                services.booking_cancel(
                    booking=booking,
                    actor=request.user,
                    reason=f"登记机关取消：{reason}" if reason else "登记机关取消",
                )
            elif action.startswith("screen-"):
                party = next((p for p in parties if f"screen-{p.pk}" == action), None)
                if party is not None:
                    form = ScreenForm(
                        request.POST,
                        questions=selectors.questions_for(party, policy, screening),
                        prefix=f"p{party.pk}",
                    )
                    screen_forms[party.pk] = form
                    if not form.is_valid():
                        raise DomainError(form.problems())
                    check = services.counter_screen(
                        actor=request.user,
                        booking=booking,
                        party=party,
                        temperature=form.cleaned_data["temperature"],
                        answers=form.answers(),
                    )
                    if not check.is_eligible:
                        messages.error(
                            request,
                            _("不符合办理条件，已不予办理并报告：%(reasons)s") % {"reasons": check.reasons},
                        )
        except DomainError as error:
            _fail(request, error)
        else:
            return redirect("marriage:booking_detail", booking_id=booking.pk)
    checks = selectors.booking_checks(booking)
    context = {
        "booking": booking,
        "parties": [(p, screen_forms[p.pk], checks.get(p.pk)) for p in parties],
        "can_counter": request.user.has_code(MarriagePerm.COUNTER),
        "is_today": booking.date == clock.today(),
        "reports": list(booking.reports.all()),
        "statuses": BookingStatus,
    }
    return render(request, "marriage/booking_detail.html", context)


def _report_columns() -> list[tuple[str, Any]]:
    return [
        ("登记机关", lambda r: r.unit.name),
        ("时间", lambda r: r.created_at),
        ("情况", lambda r: r.reasons),
        ("报告对象", lambda r: r.recipients),
        ("状态", lambda r: r.get_status_display()),
        ("处理结果", lambda r: r.outcome),
    ]


@login_required
@require_safe
def report_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, MarriagePerm.VIEW)
    status = request.GET.get("status", "")
    status = status if status in ReportStatus.values else ""
    return render_list(
        request,
        template="marriage/report_list.html",
        queryset=selectors.report_list(viewer=request.user, status=status),
        columns=_report_columns(),
        export_name="婚姻登记不符合防控要求情况报告",
        context={"status": status, "statuses": ReportStatus.choices},
    )


@login_required
def report_detail(request: AuthedHttpRequest, marriage_report_id: int) -> HttpResponse:
    require(request, MarriagePerm.VIEW)
    report = selectors.access_report(request.user, marriage_report_id)
    form = CloseReportForm(request.POST or None)
    if request.method == "POST":
        require(request, MarriagePerm.MANAGE_REPORTS)
        if form.is_valid():
            try:
                services.report_close(actor=request.user, report=report, outcome=form.cleaned_data["outcome"])
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("已办结"))
                return redirect("marriage:report_detail", marriage_report_id=report.pk)
    context = {
        "report": report,
        "form": form,
        "can_close": request.user.has_code(MarriagePerm.MANAGE_REPORTS)
        and report.status == ReportStatus.OPEN,
    }
    return render(request, "marriage/report_detail.html", context, status=form_status(form))


@login_required
def report_recipient_list(request: AuthedHttpRequest) -> HttpResponse:
    """Where non-compliance reports go (region-wide); edited by who edits the campaign's policy."""
    require(request, MarriagePerm.VIEW)
    form = ReportRecipientForm(request.POST or None)
    if request.method == "POST":
        require(request, CampaignPerm.MANAGE)
        if form.is_valid():
            try:
                services.report_recipient_add(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("已添加报告对象"))
                return redirect("marriage:report_recipient_list")
    context = {
        "recipients": list(selectors.report_recipient_list(viewer=request.user)),
        "form": form,
        "can_edit": request.user.has_code(CampaignPerm.MANAGE),
    }
    return render(request, "marriage/report_recipient_list.html", context, status=form_status(form))


@login_required
@require_POST
def report_recipient_delete(request: AuthedHttpRequest, report_recipient_id: int) -> HttpResponse:
    require(request, CampaignPerm.MANAGE)
    recipient = selectors.access_report_recipient(request.user, report_recipient_id)
    services.report_recipient_remove(actor=request.user, recipient=recipient)
    messages.success(request, _("已移除报告对象"))
    return redirect("marriage:report_recipient_list")


# --- Hall log and daily counts (M6) ----------------------------------------------------------------


@login_required
def hall_log_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, MarriagePerm.VIEW)
    registries = list(selectors.registry_list(viewer=request.user)[:500])
    form = HallLogForm(request.POST or None, initial={"done_at": clock.now().astimezone(clock.local_zone())})
    if request.method == "POST":
        require(request, MarriagePerm.COUNTER)
        unit = next((u for u in registries if str(u.pk) == request.POST.get("unit")), None)
        if unit is None:
            form.add_error(None, _("请选择登记机关"))
        elif form.is_valid():
            try:
                services.hall_log_record(actor=request.user, unit=unit, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("已登记"))
                return redirect("marriage:hall_log_list")
    unit_filter = request.GET.get("unit")
    return render_list(
        request,
        template="marriage/hall_log_list.html",
        queryset=selectors.hall_log_list(viewer=request.user, unit=_object_id(unit_filter)),
        columns=[
            ("登记机关", lambda r: r.unit.name),
            ("项目", lambda r: r.get_task_display()),
            ("时间", lambda r: r.done_at),
            ("说明", lambda r: r.note),
            ("登记人", lambda r: str(r.recorded_by or "")),
        ],
        export_name="婚姻登记大厅通风消毒记录",
        context={
            "form": form,
            "registries": registries,
            "can_record": request.user.has_code(MarriagePerm.COUNTER),
        },
        status=form_status(form),
    )


@login_required
@require_safe
def daily_counts(request: AuthedHttpRequest) -> HttpResponse:
    require(request, MarriagePerm.VIEW)
    day = bounds.query_day(request.GET, "date", label=_("日期")) or clock.today()
    rows = selectors.daily_counts(viewer=request.user, day=day)
    return render(request, "marriage/daily_counts.html", {"rows": rows, "day": day})
