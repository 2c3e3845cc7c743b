"""Pages of village and community prevention: the county's overview (villages lacking a roster,
emergency states, training coverage), each village's home page on a phone (roster, checkpoints,
closure plan, supplies, emergency state, today's duties), the roster list, field visits."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.exports import Column
from shouhu.common.forms import add_domain_error, form_status
from shouhu.common.listing import render_list
from shouhu.common.permissions import require
from shouhu.community import selectors, services
from shouhu.community.forms import (
    CheckpointForm,
    DutyCheckForm,
    EmergencyForm,
    FindingForm,
    IssueForm,
    PlanForm,
    PostForm,
    ReceiptForm,
    RosterFilterForm,
    RosterForm,
    VillageFilterForm,
    VisitFilterForm,
    VisitForm,
)
from shouhu.community.models import CommunityPolicy, FieldVisit
from shouhu.community.permissions import CommunityPerm
from shouhu.orgs.models import OrgUnit, UnitKind


def _findings_of(visit: FieldVisit) -> list[Any]:
    from shouhu.rectification.selectors import findings_of

    return list(findings_of(visit))


# --- Overview (county, township) ---------------------------------------------------------------


VILLAGE_COLUMNS: list[Column] = [
    ("村（社区）", lambda v: v.name),
    ("名单缺少", lambda v: "、".join(v.gaps) or "齐全"),
    ("应急状态", lambda v: "是" if v.open_emergency else "否"),
]


@login_required
@require_safe
def overview(request: AuthedHttpRequest) -> HttpResponse:
    require(request, CommunityPerm.VIEW)
    unit = request.user.unit
    if unit is not None and unit.kind == UnitKind.VILLAGE and not request.GET:
        return redirect("community:village_home", village_id=unit.pk)
    townships = selectors.township_choices(viewer=request.user)
    form = VillageFilterForm(request.GET or None, townships=townships)
    filters = selectors.VillageFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.VillageFilters(
            search=data["q"],
            township=data["township"],
            gaps_only=data["gaps"],
            emergency_only=data["emergency"],
        )
    required = current_policy(CommunityPolicy).required_roles()
    villages = selectors.village_list(viewer=request.user, filters=filters)
    return render_list(
        request,
        template="community/overview.html",
        queryset=_GapsAttached(villages, required),  # type: ignore[arg-type]
        columns=VILLAGE_COLUMNS,
        export_name="村（社区）防控组织",
        context={
            "form": form,
            "states": list(selectors.open_states(viewer=request.user)[:50]),
            "required": required,
        },
        filter_form=form,
    )


class _GapsAttached:
    """A village queryset whose rows carry their roster gaps, for the list and its export."""

    def __init__(self, villages: Any, required: dict[str, int]) -> None:
        self.villages, self.required = villages, required

    def _attach(self, rows: Any) -> list[Any]:
        rows = list(rows)
        for v in rows:
            v.gaps = selectors.roster_gaps(v, required=self.required)
        return rows

    def __getitem__(self, key: Any) -> Any:
        sliced = self.villages[key]
        return _GapsAttached(sliced, self.required) if isinstance(key, slice) else self._attach([sliced])[0]

    def __len__(self) -> int:
        return len(self.villages)

    def __iter__(self) -> Any:
        return iter(self._attach(self.villages))

    def count(self) -> int:
        return int(self.villages.count())

    def iterator(self, chunk_size: int = 2000) -> Any:
        return iter(self._attach(self.villages))

    @property
    def ordered(self) -> bool:
        return True


# --- A village's home page (phone-first) -----------------------------------------------------


def _can(request: AuthedHttpRequest, code: str, village: OrgUnit) -> bool:
    return request.user.has_code(code) and selectors.village_writable(request.user, village)


def _render_village(request: AuthedHttpRequest, village_id: int, **forms: Form) -> HttpResponse:
    village = selectors.access_village(request.user, village_id)
    policy = current_policy(CommunityPolicy)
    gaps, _annotated = selectors.village_roster_counts(village)
    members = selectors.roster_of(village)
    plan = selectors.plan_of(village)
    state = selectors.open_state_of(village)
    can_manage = _can(request, CommunityPerm.MANAGE, village)
    defaults: dict[str, Form] = {
        "roster_form": RosterForm(),
        "checkpoint_form": CheckpointForm(members=members),
        "plan_form": PlanForm(
            initial={"organisation": plan.organisation, "note": plan.note} if plan else None
        ),
        "post_form": PostForm(members=members),
        "receipt_form": ReceiptForm(),
        "issue_form": IssueForm(),
        "emergency_form": EmergencyForm(),
    }
    defaults.update(forms)
    return render(
        request,
        "community/village_home.html",
        {
            "village": village,
            "township": selectors.township_of(village),
            "gaps": gaps,
            "members": list(members),
            "checkpoints": list(selectors.checkpoints_of(village)),
            "plan": plan,
            "posts": selectors.posts_of(plan),
            "state": state,
            "past_states": list(selectors.states_of(village).filter(ended_at__isnull=False)[:5]),
            "duties": selectors.duties_today(village, state=state, today=clock.today()),
            "stock": selectors.stock_of(village, threshold=policy.supply_low_stock_threshold),
            "movements": list(selectors.movements_of(village)[:20]),
            "policy": policy,
            "can_manage": can_manage,
            "can_switch": _can(request, CommunityPerm.SWITCH_EMERGENCY, village),
            **defaults,
        },
        status=form_status(*forms.values()),
    )


@login_required
@require_safe
def village_home(request: AuthedHttpRequest, village_id: int) -> HttpResponse:
    require(request, CommunityPerm.VIEW)
    return _render_village(request, village_id)


def _done(request: AuthedHttpRequest, village: OrgUnit, message: str, anchor: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("community:village_home", kwargs={"village_id": village.pk}) + f"#{anchor}")


@login_required
@require_POST
def roster_add(request: AuthedHttpRequest, village_id: int) -> HttpResponse:
    require(request, CommunityPerm.MANAGE)
    village = selectors.access_village_for_recording(request.user, village_id)
    form = RosterForm(request.POST)
    if form.is_valid():
        try:
            member = services.roster_add(
                actor=request.user, village=village, data=services.RosterInput(**form.cleaned_data)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(
                request, village, _("已将%(name)s加入防控组织") % {"name": member.person.name}, "roster"
            )
    return _render_village(request, village.pk, roster_form=form)


@login_required
@require_POST
def roster_remove(request: AuthedHttpRequest, roster_member_id: int) -> HttpResponse:
    require(request, CommunityPerm.MANAGE)
    member = selectors.access_roster_member_for_recording(request.user, roster_member_id)
    village = member.village
    try:
        services.roster_remove(actor=request.user, member=member)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(reverse("community:village_home", kwargs={"village_id": village.pk}) + "#roster")
    return _done(request, village, _("已移出防控组织"), "roster")


@login_required
@require_POST
def checkpoint_add(request: AuthedHttpRequest, village_id: int) -> HttpResponse:
    require(request, CommunityPerm.MANAGE)
    village = selectors.access_village_for_recording(request.user, village_id)
    form = CheckpointForm(request.POST, members=selectors.roster_of(village))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.checkpoint_add(
                actor=request.user,
                village=village,
                name=data["name"],
                hours=data["hours"],
                staff=list(data["staff"]),
                estate=data["estate"],
                location=data["location"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, village, _("已添加卡口"), "checkpoints")
    return _render_village(request, village.pk, checkpoint_form=form)


@login_required
@require_POST
def checkpoint_remove(request: AuthedHttpRequest, checkpoint_id: int) -> HttpResponse:
    require(request, CommunityPerm.MANAGE)
    checkpoint = selectors.access_checkpoint_for_recording(request.user, checkpoint_id)
    services.checkpoint_remove(actor=request.user, checkpoint=checkpoint)
    return _done(request, checkpoint.village, _("已撤除卡口"), "checkpoints")


@login_required
@require_POST
def plan_save(request: AuthedHttpRequest, village_id: int) -> HttpResponse:
    require(request, CommunityPerm.MANAGE)
    village = selectors.access_village_for_recording(request.user, village_id)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.plan_save(actor=request.user, village=village, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, village, _("已保存封闭管理方案"), "plan")
    return _render_village(request, village.pk, plan_form=form)


@login_required
@require_POST
def post_add(request: AuthedHttpRequest, village_id: int) -> HttpResponse:
    require(request, CommunityPerm.MANAGE)
    village = selectors.access_village_for_recording(request.user, village_id)
    form = PostForm(request.POST, members=selectors.roster_of(village))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.post_add(
                actor=request.user,
                village=village,
                duty=data["duty"],
                name=data["name"],
                members=list(data["members"]),
                estate=data["estate"],
                tasks=data["tasks"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, village, _("已添加岗位"), "plan")
    return _render_village(request, village.pk, post_form=form)


@login_required
@require_POST
def post_remove(request: AuthedHttpRequest, plan_post_id: int) -> HttpResponse:
    require(request, CommunityPerm.MANAGE)
    post = selectors.access_post_for_recording(request.user, plan_post_id)
    village = post.plan.village
    services.post_remove(actor=request.user, post=post)
    return _done(request, village, _("已删除岗位"), "plan")


@login_required
@require_POST
def emergency_start(request: AuthedHttpRequest, village_id: int) -> HttpResponse:
    require(request, CommunityPerm.SWITCH_EMERGENCY)
    village = selectors.access_village_for_recording(request.user, village_id)
    form = EmergencyForm(request.POST)
    if form.is_valid():
        try:
            services.emergency_start(actor=request.user, village=village, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, village, _("已启动应急状态，封闭管理方案岗位已成为今日值守"), "state")
    return _render_village(request, village.pk, emergency_form=form)


@login_required
@require_POST
def emergency_end(request: AuthedHttpRequest, village_id: int) -> HttpResponse:
    require(request, CommunityPerm.SWITCH_EMERGENCY)
    village = selectors.access_village_for_recording(request.user, village_id)
    form = EmergencyForm(request.POST)
    if form.is_valid():
        try:
            services.emergency_end(actor=request.user, village=village, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, village, _("已结束应急状态，探视暂停已解除"), "state")
    return _render_village(request, village.pk, emergency_form=form)


@login_required
@require_POST
def duty_check(request: AuthedHttpRequest, village_id: int) -> HttpResponse:
    require(request, CommunityPerm.MANAGE)
    village = selectors.access_village_for_recording(request.user, village_id)
    form = DutyCheckForm(request.POST)
    url = reverse("community:village_home", kwargs={"village_id": village.pk}) + "#duties"
    if not form.is_valid():
        messages.error(request, _("提交的岗位或人员无效，请刷新页面后重试"))
        return redirect(url)
    post = next(
        (p for p in selectors.posts_of(selectors.plan_of(village)) if p.pk == form.cleaned_data["post"]), None
    )
    member = selectors.roster_of(village).filter(pk=form.cleaned_data["member"]).first()
    if post is None or member is None:
        messages.error(request, _("提交的岗位或人员无效，请刷新页面后重试"))
        return redirect(url)
    try:
        services.duty_check(actor=request.user, village=village, post=post, member=member)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(url)
    messages.success(request, _("%(name)s已到岗") % {"name": member.person.name})
    return redirect(url)


@login_required
@require_POST
def supply_receive(request: AuthedHttpRequest, village_id: int) -> HttpResponse:
    require(request, CommunityPerm.MANAGE)
    village = selectors.access_village_for_recording(request.user, village_id)
    form = ReceiptForm(request.POST)
    if form.is_valid():
        try:
            movement = services.supply_receive(actor=request.user, village=village, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            text = _("已入库 %(n)s，结存 %(b)s") % {"n": movement.quantity, "b": movement.balance_after}
            return _done(request, village, text, "supplies")
    return _render_village(request, village.pk, receipt_form=form)


@login_required
@require_POST
def supply_issue(request: AuthedHttpRequest, village_id: int) -> HttpResponse:
    require(request, CommunityPerm.MANAGE)
    village = selectors.access_village_for_recording(request.user, village_id)
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            movement = services.supply_issue(actor=request.user, village=village, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            text = _("已发放 %(n)s，结存 %(b)s") % {"n": movement.quantity, "b": movement.balance_after}
            return _done(request, village, text, "supplies")
    return _render_village(request, village.pk, issue_form=form)


# --- The roster across villages (G2), with its Excel export ----------------------------------


ROSTER_COLUMNS: list[Column] = [
    ("村（社区）", lambda m: m.village.name),
    ("姓名", lambda m: m.person.name),
    ("证件号码", lambda m: m.person.id_number_masked),
    ("角色", lambda m: m.get_role_display()),
    ("职务", lambda m: m.title),
    ("小区/网格", lambda m: m.estate),
    ("联系电话", lambda m: m.phone_masked),
    ("两委负责人", lambda m: "是" if m.is_responsible else ""),
]


@login_required
@require_safe
def roster_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, CommunityPerm.VIEW)
    form = RosterFilterForm(request.GET or None)
    filters = selectors.RosterFilters()
    village = None
    if request.GET.get("village"):
        village = selectors.access_village(request.user, request.GET["village"])
    if form.is_valid():
        filters = selectors.RosterFilters(
            search=form.cleaned_data["q"],
            role=form.cleaned_data["role"],
            village=village.pk if village else None,
        )
    return render_list(
        request,
        template="community/roster_list.html",
        queryset=selectors.roster_list(viewer=request.user, filters=filters),
        columns=ROSTER_COLUMNS,
        export_name="防控组织名单",
        context={"form": form, "village": village},
        filter_form=form,
    )


# --- Training coverage (G5) --------------------------------------------------------------------


@login_required
@require_safe
def coverage(request: AuthedHttpRequest) -> HttpResponse:
    require(request, CommunityPerm.VIEW)
    townships = selectors.township_choices(viewer=request.user)
    form = VillageFilterForm(request.GET or None, townships=townships)
    township = form.cleaned_data["township"] if form.is_valid() else None
    rows = selectors.coverage_rows(selectors.coverage_list(viewer=request.user, township=township))
    return render(
        request,
        "community/coverage.html",
        {"rows": rows, "form": form, "policy": current_policy(CommunityPolicy)},
    )


# --- Field visits (G1) -------------------------------------------------------------------------


VISIT_COLUMNS: list[Column] = [
    ("日期", lambda v: v.visited_on),
    ("检查地点", lambda v: v.place.name),
    ("县（市、区）", lambda v: v.county.name),
    ("检查人员", lambda v: v.staff),
    ("检查内容", lambda v: v.checked),
    ("情况记录", lambda v: v.notes),
]


@login_required
@require_safe
def visit_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, CommunityPerm.VIEW)
    form = VisitFilterForm(request.GET or None)
    filters = selectors.VisitFilters()
    if form.is_valid():
        filters = selectors.VisitFilters(
            date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"]
        )
    return render_list(
        request,
        template="community/visit_list.html",
        queryset=selectors.visit_list(viewer=request.user, filters=filters),
        columns=VISIT_COLUMNS,
        export_name="督导检查",
        context={"form": form, "can_record": request.user.has_code(CommunityPerm.RECORD_VISITS)},
        filter_form=form,
    )


@login_required
def visit_create(request: AuthedHttpRequest) -> HttpResponse:
    require(request, CommunityPerm.RECORD_VISITS)
    places = selectors.visitable_places(viewer=request.user)
    form = VisitForm(request.POST or None, places=places, initial={"visited_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        findings = []
        if data["problem"]:
            findings.append(
                services.FindingInput(
                    description=data["problem"], assigned_to=data["assigned_to"], deadline=data["deadline"]
                )
            )
        try:
            visit = services.visit_record(
                actor=request.user,
                data=services.VisitInput(
                    place=data["place"],
                    visited_on=data["visited_on"],
                    staff=data["staff"],
                    checked=data["checked"],
                    notes=data["notes"],
                    findings=findings,
                ),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已登记督导检查"))
            return redirect("community:visit_detail", field_visit_id=visit.pk)
    return render(request, "community/visit_form.html", {"form": form}, status=form_status(form))


def _render_visit(
    request: AuthedHttpRequest, visit: FieldVisit, finding_form: FindingForm | None = None
) -> HttpResponse:
    can_record = request.user.has_code(CommunityPerm.RECORD_VISITS) and selectors.village_writable(
        request.user, visit.place
    )
    return render(
        request,
        "community/visit_detail.html",
        {
            "visit": visit,
            "findings": _findings_of(visit),
            "can_record": can_record,
            "finding_form": finding_form or FindingForm(),
            "policy": current_policy(CommunityPolicy, visit.visited_on),
        },
        status=form_status(finding_form),
    )


@login_required
@require_safe
def visit_detail(request: AuthedHttpRequest, field_visit_id: int) -> HttpResponse:
    require(request, CommunityPerm.VIEW)
    return _render_visit(request, selectors.access_visit(request.user, field_visit_id))


@login_required
@require_POST
def finding_add(request: AuthedHttpRequest, field_visit_id: int) -> HttpResponse:
    require(request, CommunityPerm.RECORD_VISITS)
    visit = selectors.access_visit_for_recording(request.user, field_visit_id)
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            services.visit_finding_add(
                actor=request.user, visit=visit, data=services.FindingInput(**form.cleaned_data)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已登记发现的问题，交整改跟踪"))
            return redirect("community:visit_detail", field_visit_id=visit.pk)
    return _render_visit(request, visit, finding_form=form)
