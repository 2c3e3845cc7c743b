"""The public venue-code pages (S4): no login, a random token in the URL, never a server error.

A visitor scans the institution's code, declares name, phone, codes and travel, and sees the
provisional verdict on a receipt page; staff take the temperature and confirm on their screen.
The receipt tells the visitor only what follows from what they declared: a phone typed proves
nobody, so what the person register says under that number is for staff only (X2).
Bad input answers 400 with the reasons beside the fields, floods answer 429, unknown codes 404.
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.clients import client_address
from shouhu.common.errors import DomainError
from shouhu.common.forms import add_domain_error
from shouhu.screening import selectors, services
from shouhu.screening.forms import DeclarationForm, travel_entries, travel_formset
from shouhu.screening.models import Screening, ScreeningPolicy, VenueCode, Verdict
from shouhu.screening.rules import Facts

logger = logging.getLogger(__name__)
RECEIPTS_KEY = "venue_receipts"
OWN_RECEIPTS_KEPT = 10  # not a policy threshold: a browser's last few receipts, for double taps


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A visitor never meets a traceback: anything unexpected is logged and answered politely."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Exception:
            logger.exception("venue page failed")
            context = {"title": "暂时无法申报", "text": "系统繁忙，请稍后再试，或请工作人员现场登记。"}
            return render(request, "screening/public/message.html", context, status=503)

    return wrapped


def _unknown(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "screening/public/message.html",
        {
            "title": "场所码无效",
            "text": "该场所码不存在或已更换，请扫描现场张贴的最新场所码，或请工作人员现场登记。",
        },
        status=404,
    )


def _venue(token: str) -> VenueCode | None:
    venue = selectors.venue_by_token(token)
    if venue is None or not venue.unit.is_institution:
        return None
    return venue


def _receipt_url(venue: VenueCode, screening: Screening) -> str:
    return reverse("venue:receipt", kwargs={"token": venue.token, "receipt": screening.receipt})


@never_cache
@public_page
def declare(request: HttpRequest, token: str) -> HttpResponse:
    venue = _venue(token)
    if venue is None:
        return _unknown(request)
    form = DeclarationForm(request.POST or None)
    formset = travel_formset(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            facts = Facts(
                health_code=data["health_code"],
                itinerary_code=data["itinerary_code"],
                itinerary_star=data["itinerary_star"],
                mask=data["mask"],
                travel=tuple(travel_entries(formset)),
            )
            try:
                screening = services.declaration_submit(
                    venue=venue,
                    visitor_name=data["visitor_name"],
                    visitor_phone=data["visitor_phone"],
                    facts=facts,
                    client_address=client_address(request),
                    own_receipts=request.session.get(RECEIPTS_KEY, []),
                )
            except services.DuplicateDeclaration as error:
                return redirect(f"{_receipt_url(venue, error.existing)}?repeat=1")
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status_code
            else:
                # This browser's own receipts: only these may be shown again as a repeat.
                kept = request.session.get(RECEIPTS_KEY, [])
                request.session[RECEIPTS_KEY] = [*kept, screening.receipt][-OWN_RECEIPTS_KEPT:]
                return redirect(_receipt_url(venue, screening))
    context = {
        "venue": venue,
        "unit": venue.unit,
        "form": form,
        "formset": formset,
        "policy": current_policy(ScreeningPolicy),
        "today": clock.today(),
    }
    return render(request, "screening/public/declare.html", context, status=status)


def _masked_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


@never_cache
@public_page
def receipt(request: HttpRequest, token: str, receipt: str) -> HttpResponse:
    venue = _venue(token)
    if venue is None:
        return _unknown(request)
    screening = selectors.screening_by_receipt(venue=venue, receipt=receipt)
    # A receipt shows only on its own day: a link kept or shared later reveals nothing.
    if screening is None or selectors.local_day(screening.screened_at) != clock.today():
        return render(
            request,
            "screening/public/message.html",
            {"title": "回执已过期", "text": "申报回执只在当天有效。如需进入，请重新扫码申报。"},
            status=404,
        )
    verdict = screening.visitor_verdict
    context = {
        "venue": venue,
        "unit": venue.unit,
        "screening": screening,
        "name": _masked_name(screening.visitor_name),
        "repeat": request.GET.get("repeat") == "1",
        "verdict": verdict,
        "verdict_label": Verdict(verdict).label,
        "reasons": screening.visitor_reason_list if verdict == Verdict.REFUSED else [],
        "pending": verdict == Verdict.PENDING,
        "declare_url": reverse("venue:declare", kwargs={"token": venue.token}),
    }
    return render(request, "screening/public/receipt.html", context)
