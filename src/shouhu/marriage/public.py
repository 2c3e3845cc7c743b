"""The public booking pages (M1–M3, M5): no login, phone-first, never a server error.

A couple picks any registry of the region, a day and a slot with its live remaining seats, and
types both parties' details. The booking code is the secret: it is never put in a URL; the
confirmation and the manage page find the booking through the session, after the code and one
party's phone were given together (rate-limited, no hint which one was wrong).
"""

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from shouhu.campaigns.policy import current_policies, current_policy
from shouhu.common.access import MAX_OBJECT_ID
from shouhu.common.bounds import parse_day
from shouhu.common.clients import client_address
from shouhu.common.errors import DomainError
from shouhu.common.forms import add_domain_error
from shouhu.marriage import booking_requests, selectors, services, throttle
from shouhu.marriage.calendar import day_plan
from shouhu.marriage.forms import BookingForm, CodeForm, DayChoiceForm, LookupForm, RescheduleForm
from shouhu.marriage.models import Booking, BookingStatus, MarriagePolicy, Slot
from shouhu.marriage.notices import advance_notice
from shouhu.marriage.services.bookings import role_label
from shouhu.notifications.models import PhoneCodePolicy
from shouhu.orgs.models import OrgUnit
from shouhu.screening.models import ScreeningPolicy

logger = logging.getLogger(__name__)
DONE_KEY = "marriage_booking_done"
MANAGE_KEY = "marriage_booking_manage"
REQUEST_KEY = "marriage_booking_request"
PARTY_FIELDS = ("name", "id_type", "id_number", "phone")
LOOKUP_FAILED = gettext_lazy("预约码或手机号不正确，或尝试次数过多，请稍后再试")


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A couple never meets a traceback: anything unexpected is logged and answered politely."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Exception:
            logger.exception("marriage booking page failed")
            context = {"title": _("暂时无法预约"), "text": _("系统繁忙，请稍后再试，或致电登记机关预约。")}
            return render(request, "marriage/public/message.html", context, status=503)

    return wrapped


def _registry(unit_id: object) -> OrgUnit | None:
    """The open registry a public form or link names, or None for anything else."""
    text = str(unit_id)
    if text.isascii() and text.isdigit() and int(text) <= MAX_OBJECT_ID:
        return selectors.public_registries().filter(pk=int(text)).first()
    return None


def _day_slots(unit_id: object, raw_day: str | None, *, priority: bool = False) -> dict[str, Any]:
    return _unit_day_slots(_registry(unit_id), parse_day(raw_day), priority=priority)


def _unit_day_slots(unit: OrgUnit | None, day: dt.date | None, *, priority: bool = False) -> dict[str, Any]:
    """The slots of a registry's day with remaining seats, or the reason there are none.

    `priority`: for a holder whose booking a suspension displaced, who may rebook into a surge
    date before it opens to the public (the text they were sent says so)."""
    if unit is None or day is None:
        return {"slots": [], "reason": ""}
    policy = current_policy(MarriagePolicy, day)
    refusal = selectors.day_refusal(unit=unit, day=day, policy=policy, priority=priority)
    if refusal:
        return {"slots": [], "reason": refusal}
    plan = day_plan(unit, day, policy=policy)
    slots = selectors.bookable_slots(unit=unit, day=day)
    return {"slots": slots, "reason": "" if slots else _("该日没有可预约的时段"), "plan": plan}


@never_cache
@public_page
def slots(request: HttpRequest) -> HttpResponse:
    # The manage page asks with manage=1: the booking being moved decides about priority.
    moving = _session_booking(request, MANAGE_KEY) if request.GET.get("manage") == "1" else None
    priority = moving is not None and selectors.displaced_by_suspension(moving)
    context = _day_slots(request.GET.get("unit", ""), request.GET.get("date"), priority=priority)
    context["selected"] = request.GET.get("slot", "")
    return render(request, "marriage/public/_slots.html", context)


def _slot_of(form: DayChoiceForm) -> Slot | None:
    return selectors.public_slot(form.cleaned_data["slot"])


def _calendar(unit: OrgUnit | None, chosen: dt.date | None) -> dict[str, Any]:
    """The registry's booking window as weeks from Monday (blank cells outside the window), for
    the calendar a couple picks a day from. Nothing about a person: days and seats only."""
    if unit is None:
        return {"calendar_weeks": []}
    days = selectors.booking_calendar(unit=unit)
    first = days[0].day  # today: the window is never empty
    cells: list[selectors.CalendarDay | None] = [None] * first.weekday()
    cells += days
    cells += [None] * (-len(cells) % 7)
    monday = first - dt.timedelta(days=first.weekday())
    return {
        "calendar_unit": unit,
        "calendar_chosen": chosen,
        "calendar_first": first,
        "calendar_weekdays": [monday + dt.timedelta(days=n) for n in range(7)],
        "calendar_weeks": [cells[start : start + 7] for start in range(0, len(cells), 7)],
    }


def _typed_party(data: dict[str, Any], role: str) -> services.PartyInput:
    """A party as the form cleaned it; a field the form refused is blank (it is not checked again,
    and without a document type the number cannot be)."""
    id_type = data.get(f"{role}_id_type", "")
    return services.PartyInput(
        data.get(f"{role}_name", ""),
        id_type,
        data.get(f"{role}_id_number", "") if id_type else "",
        data.get(f"{role}_phone", ""),
    )


def _show_problems(form: BookingForm, error: DomainError) -> None:
    """Every problem beside its field, unless the form already says what is wrong there (typing it
    again corrects both); a problem of no field above the form."""
    if not error.field_errors:
        form.add_error(None, error.message)
    for name, messages in error.field_errors.items():
        field = name if name in form.fields else None
        if field is not None and form.has_error(field):
            continue
        for message in messages:
            form.add_error(field, message)


def _error_summary(form: BookingForm) -> list[tuple[str, str]]:
    """Every error of the form, in the page's order, as (the id of its input, the text): the list
    at the top of the page, each entry linking to the input to correct."""
    items = [("", str(message)) for message in form.non_field_errors()]
    for bound in form:
        if not bound.errors:
            continue
        label, role = str(bound.label), bound.name.split("_", 1)[0]
        prefix = ""
        if bound.name[:2] in ("a_", "b_"):
            party = role_label(role)
            label = _("%(party)s的%(field)s") % {"party": party, "field": label}
            prefix = _("%(party)s：%(message)s") % {"party": party, "message": ""}
        target = "slot-choice" if bound.name == "slot" else bound.id_for_label
        for message in bound.errors:
            text = str(message).removeprefix(prefix) if prefix else str(message)
            items.append((target, _("%(field)s：%(message)s") % {"field": label, "message": text}))
    return items


@never_cache
@public_page
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """What the couple types. Submitting checks only what the typing shows and sends the codes;
    nothing is booked, and nothing about the parties is told, before the codes come back."""
    # "查看可约时段" without JavaScript posts the whole form (personal data never goes into a
    # URL): the page comes back with the day's slots and everything typed, and books nothing.
    show_slots = request.method == "POST" and "show_slots" in request.POST
    typed: dict[str, Any]
    if show_slots:
        typed = {name: request.POST[name] for name in BookingForm.base_fields if name in request.POST}
        form = BookingForm(initial=typed)
    else:
        typed = {"unit": request.GET.get("unit"), "date": request.GET.get("date")}
        earlier = booking_requests.booking_request_open(request.session.get(REQUEST_KEY))
        if earlier is not None and earlier.booking_id is None:
            # Back from the code page ("重新选择时段"): nothing typed needs typing again. A day
            # picked on the calendar since (the link names it) wins over the request's.
            typed.update(booking_requests.booking_request_details(earlier).initial())
            if not typed["unit"]:
                typed.update(
                    unit=str(earlier.unit_id), date=earlier.slot.date.isoformat(), slot=str(earlier.slot_id)
                )
        form = BookingForm(request.POST or None, initial=typed)
    status = 200
    if request.method == "POST" and not show_slots:
        status = _submit(request, form)
        if status == 302:
            return redirect("marriage:public_verify")
    values = form.data if form.is_bound else typed
    unit, day = _registry(values.get("unit") or ""), parse_day(values.get("date"))
    context = {
        "form": form,
        **_unit_day_slots(unit, day),
        **_calendar(unit, day),
        "selected": str(values.get("slot") or "") if form.is_bound or show_slots or "slot" in typed else "",
        "party_a_fields": [form[f"a_{name}"] for name in PARTY_FIELDS],
        "party_b_fields": [form[f"b_{name}"] for name in PARTY_FIELDS],
        "error_summary": _error_summary(form) if form.is_bound and not show_slots else [],
    }
    return render(request, "marriage/public/book.html", context, status=status)


def _submit(request: HttpRequest, form: BookingForm) -> int:
    """Check everything typed and, when all is well, send the codes (302). Every problem is put on
    the form at once: what the form refuses, and every check of the rest (`booking_request_check`)."""
    form.is_valid()
    data = form.cleaned_data
    slot = _slot_of(form) if "slot" in data else None
    if "slot" in data and slot is None:
        form.add_error("slot", _("请重新选择时段"))
    party_a, party_b = _typed_party(data, "a"), _typed_party(data, "b")
    refused_by_form = bool(form.errors)
    try:
        if refused_by_form:
            day = data.get("date") or (slot.date if slot is not None else None)
            booking_requests.booking_request_check(
                unit=data.get("unit"),
                day=data.get("date"),
                slot=slot,
                party_a=party_a,
                party_b=party_b,
                policy=current_policy(MarriagePolicy, day),
            )
            return 400
        assert slot is not None
        booking_request = booking_requests.booking_request_start(
            unit=data["unit"],
            day=data["date"],
            slot=slot,
            party_a=party_a,
            party_b=party_b,
            join_waitlist=data["join_waitlist"],
            client_address=client_address(request),
        )
    except DomainError as error:
        _show_problems(form, error)
        return 400 if refused_by_form else error.status_code
    request.session[REQUEST_KEY] = booking_request.token
    return 302


@never_cache
@public_page
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The parties type the codes sent to their phones; then, and only then, the booking is made."""
    booking_request = booking_requests.booking_request_open(request.session.get(REQUEST_KEY))
    if booking_request is None:
        return render(
            request,
            "marriage/public/message.html",
            {"title": _("验证已超时"), "text": _("请重新填写预约。"), "again": True},
            status=410 if request.method == "POST" else 200,
        )
    if booking_request.booking_id is not None:
        request.session[DONE_KEY] = booking_request.booking_id
        return redirect("marriage:public_done")
    form = CodeForm(request.POST if request.POST.get("action") == "confirm" else None)
    status = 200
    offer_waitlist = False
    message = ""
    if request.method == "POST":
        status = 400
        try:
            if request.POST.get("action") == "resend":
                booking_request = booking_requests.booking_request_resend(
                    request=booking_request, client_address=client_address(request)
                )
                message, status = _("验证码已重新发送"), 200
            elif request.POST.get("action") == "waitlist" or form.is_valid():
                codes = form.cleaned_data if form.is_bound else {}
                booking = booking_requests.booking_request_confirm(
                    request=booking_request,
                    code_a=codes.get("code_a", ""),
                    code_b=codes.get("code_b", ""),
                    join_waitlist=True if request.POST.get("action") == "waitlist" else None,
                )
                request.session[DONE_KEY] = booking.pk
                return redirect("marriage:public_done")
        except DomainError as error:
            status = error.status_code
            offer_waitlist = error.code == "slot_full"
            if offer_waitlist:
                pass  # a full slot: the waiting-list offer says it, once
            elif form.is_bound:
                add_domain_error(form, error)
            else:
                message = error.message
    context = {
        "form": form,
        "booking_request": booking_request,
        "details": booking_requests.booking_request_details(booking_request),
        "offer_waitlist": offer_waitlist,
        "message": message,
        "status_ok": status == 200,
        "code_policy": current_policy(PhoneCodePolicy, booking_request.slot.date),
    }
    return render(request, "marriage/public/verify.html", context, status=status)


def _session_booking(request: HttpRequest, key: str) -> Booking | None:
    return selectors.session_booking(request.session.get(key))


def _booking_context(booking: Booking) -> dict[str, Any]:
    policy, screening = current_policies(MarriagePolicy, ScreeningPolicy, day=booking.date)
    return {
        "booking": booking,
        "notice": advance_notice(booking, policy, screening),
        "parties": selectors.booking_parties(booking),
        "policy": policy,
    }


@never_cache
@public_page
def done(request: HttpRequest) -> HttpResponse:
    booking = _session_booking(request, DONE_KEY)
    if booking is None:
        return redirect("marriage:public_book")
    return render(request, "marriage/public/done.html", _booking_context(booking))


@never_cache
@public_page
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """Find a booking by code and phone, then cancel, confirm an offer or reschedule it."""
    booking = _session_booking(request, MANAGE_KEY)
    lookup = LookupForm(request.POST if request.POST.get("action") == "lookup" else None)
    reschedule = RescheduleForm(request.POST if request.POST.get("action") == "reschedule" else None)
    message = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "lookup":
            booking, status = _lookup(request, lookup)
        elif booking is None:
            status = 400
            message = _("请先输入预约码和手机号")
        else:
            message, status = _act(booking, action or "", reschedule)
            booking.refresh_from_db()
    if booking is None:
        return render(
            request, "marriage/public/lookup.html", {"form": lookup, "message": message}, status=status
        )
    context = {
        **_booking_context(booking),
        "message": message,
        "reschedule": reschedule,
        "can_cancel": booking.status in (BookingStatus.WAITING, BookingStatus.OFFERED, BookingStatus.BOOKED),
        **_day_slots(
            reschedule.data.get("unit", ""),
            reschedule.data.get("date"),
            priority=selectors.displaced_by_suspension(booking),
        ),
    }
    return render(request, "marriage/public/manage.html", context, status=status)


def _lookup(request: HttpRequest, form: LookupForm) -> tuple[Booking | None, int]:
    if not form.is_valid():
        return None, 400
    code, phone = form.cleaned_data["code"], form.cleaned_data["phone"]
    found = None
    if throttle.lookup_allowed(address=client_address(request), code=code, phone=phone):
        found = selectors.public_booking(code=code, phone=phone)
    if found is None:
        form.add_error(None, LOOKUP_FAILED)
        return None, 400
    request.session[MANAGE_KEY] = found.pk
    return found, 200


def _phone_holders(booking: Booking) -> services.Disclosure:
    """Whoever manages a booking holds its code and a party's phone: a refusal may say why for a
    party whose phone on the booking is the one the register keeps for them."""
    return services.disclose_to_phone_holders({p.role: p.phone_index for p in booking.parties.all()})


def _act(booking: Booking, action: str, reschedule: RescheduleForm) -> tuple[str, int]:
    try:
        if action == "cancel":
            services.booking_cancel(booking=booking)
            return _("预约已取消"), 200
        if action == "confirm":
            services.booking_confirm_offer(booking=booking)
            return _("已确认递补名额，预约成功"), 200
        if action == "reschedule":
            if not reschedule.is_valid():
                return "", 400
            slot = _slot_of(reschedule)
            chosen = reschedule.cleaned_data
            if slot is None or slot.unit_id != chosen["unit"].pk or slot.date != chosen["date"]:
                reschedule.add_error("slot", _("请选择时段"))
                return "", 400
            booking_requests.reschedule_allowed(booking)
            services.booking_reschedule(booking=booking, slot=slot, disclose=_phone_holders(booking))
            return _("改约成功"), 200
    except DomainError as error:
        if reschedule.is_bound:  # cancel/confirm have no form: the message alone says it
            reschedule.add_error(None, error.message)
        return error.message, error.status_code
    return "", 400
