from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.common.audit import history_of
from shouhu.common.errors import DomainError
from shouhu.common.exports import xlsx_response
from shouhu.common.forms import add_domain_error, form_status
from shouhu.common.listing import render_list
from shouhu.common.permissions import require
from shouhu.orgs.selectors import access_unit, unit_list
from shouhu.people import selectors, services
from shouhu.people.forms import (
    ConflictFilterForm,
    ConflictResolveForm,
    MergeForm,
    PersonFilterForm,
    PersonFindForm,
    PersonForm,
    RevealForm,
    UnmaskedExportForm,
)
from shouhu.people.models import ConflictStatus, Person
from shouhu.people.permissions import PeoplePerm


def _categories(person: Person) -> str:
    return "、".join(c.get_category_display() for c in person.categories.all())


MASKED_COLUMNS = [
    ("姓名", lambda p: p.name),
    ("性别", lambda p: p.get_gender_display()),
    ("出生日期", lambda p: p.birth_date),
    ("证件类型", lambda p: p.get_id_type_display()),
    ("证件号码", lambda p: p.id_number_masked),
    ("手机号", lambda p: p.phone_masked),
    ("所属单位", lambda p: p.home_unit.name),
    ("人员类别", _categories),
]
UNMASKED_COLUMNS = [
    *MASKED_COLUMNS[:4],
    ("证件号码", lambda p: p.id_number),
    ("手机号", lambda p: p.phone),
    *MASKED_COLUMNS[6:],
]


def _filters(form: PersonFilterForm) -> selectors.PersonFilters:
    if not form.is_valid():
        return selectors.PersonFilters()
    data = form.cleaned_data
    return selectors.PersonFilters(
        search=data["q"], category=data["category"], id_key=data["id_key"], phone_key=data["phone_key"]
    )


@login_required
@require_safe
def person_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, PeoplePerm.VIEW)
    form = PersonFilterForm(request.GET or None)
    people = selectors.person_list(viewer=request.user, filters=_filters(form))
    return render_list(
        request,
        template="people/person_list.html",
        queryset=people,
        columns=MASKED_COLUMNS,
        export_name="人员名单",
        context={
            "form": form,
            "can_manage": request.user.has_code(PeoplePerm.MANAGE),
            "can_import": request.user.has_code(PeoplePerm.IMPORT),
            "can_export_unmasked": request.user.has_code(PeoplePerm.EXPORT_UNMASKED),
            "open_conflicts": (
                selectors.registration_conflict_list(viewer=request.user, status=ConflictStatus.OPEN).count()
                if request.user.has_code(PeoplePerm.RESOLVE_CONFLICTS)
                else None
            ),
            "unmasked_form": UnmaskedExportForm(),
            "find_form": PersonFindForm(),
            "searching_by_number": bool(
                form.is_valid() and (form.cleaned_data["id_key"] or form.cleaned_data["phone_key"])
            ),
        },
        filter_form=form,
    )


@login_required
def person_find(request: AuthedHttpRequest) -> HttpResponse:
    """Turn a typed number into its search key and show the list: the number never reaches a URL."""
    require(request, PeoplePerm.VIEW)
    form = PersonFindForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return redirect("people:person_list")
    keys = selectors.search_keys(id_number=form.cleaned_data["id_number"], phone=form.cleaned_data["phone"])
    return redirect(f"{reverse('people:person_list')}?{urlencode(keys)}")


@login_required
def person_export_unmasked(request: AuthedHttpRequest) -> HttpResponse:
    """An unmasked list needs a permitted role and a logged reason."""
    require(request, PeoplePerm.EXPORT_UNMASKED)
    if request.method != "POST":
        return redirect("people:person_list")
    form = UnmaskedExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "导出未脱敏名单须填写事由")
        return redirect("people:person_list")
    filter_form = PersonFilterForm(request.GET or None)
    # Record which list was exported by its filters; a number search is recorded as such only.
    described = []
    if filter_form.is_valid():
        data = filter_form.cleaned_data
        described += [f"姓名含“{data['q']}”"] if data["q"] else []
        described += [f"类别：{data['category']}"] if data["category"] else []
        described += ["按号码精确查找"] if data["id_key"] or data["phone_key"] else []
    services.unmasked_export_record(
        actor=request.user,
        reason=form.cleaned_data["reason"],
        detail="；".join(described) or "全部人员",
        remote_addr=request.META.get("REMOTE_ADDR"),
    )
    people = selectors.person_list(viewer=request.user, filters=_filters(filter_form))
    return xlsx_response(
        filename="人员名单（未脱敏）.xlsx",
        sheet_title="人员名单",
        columns=UNMASKED_COLUMNS,
        rows=people.iterator(2000),
    )


def _unit_choices(request: AuthedHttpRequest) -> list[tuple[int, str]]:
    return [(u.pk, f"{'　' * max(0, u.depth - 2)}{u.name}") for u in unit_list(viewer=request.user)[:3000]]


def _person_input(request: AuthedHttpRequest, data: dict) -> services.PersonInput:
    return services.PersonInput(
        name=data["name"],
        id_type=data["id_type"],
        id_number=data["id_number"],
        gender=data["gender"],
        birth_date=data["birth_date"],
        phone=data["phone"],
        address=data["address"],
        household_registration=data["household_registration"],
        home_unit=access_unit(request.user, data["home_unit"]),
        categories=list(data["categories"]),
    )


@login_required
def person_create(request: AuthedHttpRequest) -> HttpResponse:
    require(request, PeoplePerm.MANAGE)
    form = PersonForm(request.POST or None, units=_unit_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.person_register(
                actor=request.user, data=_person_input(request, form.cleaned_data)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            for warning in registration.warnings:
                messages.warning(request, warning)
            if registration.created:
                messages.success(request, "已登记")
            else:
                messages.info(request, "此人已登记，已打开现有记录")
            return redirect("people:person_detail", person_id=registration.person.pk)
    return render(
        request, "people/person_form.html", {"form": form, "title": "登记人员"}, status=form_status(form)
    )


@login_required
@require_safe
def person_detail(request: AuthedHttpRequest, person_id: int) -> HttpResponse:
    require(request, PeoplePerm.VIEW)
    person = selectors.access_person(request.user, person_id)
    context = {
        "person": person,
        "categories": _categories(person),
        "can_manage": request.user.has_code(PeoplePerm.MANAGE),
        "can_reveal": request.user.has_code(PeoplePerm.REVEAL),
        "can_merge": request.user.has_code(PeoplePerm.MERGE),
        "can_view_history": request.user.has_code(PeoplePerm.VIEW_HISTORY),
        "reveal_form": RevealForm(),
        "merge_form": MergeForm(),
    }
    return render(request, "people/person_detail.html", context)


@login_required
def person_edit(request: AuthedHttpRequest, person_id: int) -> HttpResponse:
    require(request, PeoplePerm.MANAGE)
    person = selectors.access_person(request.user, person_id)
    initial = {
        "name": person.name,
        "id_type": person.id_type,
        "gender": person.gender,
        "birth_date": person.birth_date,
        "address": person.address,
        "household_registration": person.household_registration,
        "home_unit": person.home_unit_id,
        "categories": list(person.categories.values_list("category", flat=True)),
    }
    form = PersonForm(request.POST or None, initial=initial, units=_unit_choices(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # The numbers are not shown on the edit form; left blank they stay as they are.
        data["id_number"] = data["id_number"] or person.id_number
        data["phone"] = data["phone"] or person.phone
        try:
            services.person_update(actor=request.user, person=person, data=_person_input(request, data))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "已保存")
            return redirect("people:person_detail", person_id=person.pk)
    form.fields["id_number"].help_text = f"现为 {person.id_number_masked or '未登记'}；留空表示不修改"
    form.fields["phone"].help_text = f"现为 {person.phone_masked or '未登记'}；留空表示不修改"
    return render(
        request,
        "people/person_form.html",
        {"form": form, "title": f"编辑 {person.name}", "person": person},
        status=form_status(form),
    )


@login_required
def person_reveal(request: AuthedHttpRequest, person_id: int) -> HttpResponse:
    require(request, PeoplePerm.REVEAL)
    person = selectors.access_person(request.user, person_id)
    form = RevealForm(request.POST or None)
    value = None
    if request.method == "POST" and form.is_valid():
        try:
            value = services.person_reveal(
                actor=request.user,
                person=person,
                field_name=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
                remote_addr=request.META.get("REMOTE_ADDR"),
            )
        except DomainError as error:
            add_domain_error(form, error)
    return render(request, "people/reveal_result.html", {"person": person, "form": form, "value": value})


@login_required
def person_merge(request: AuthedHttpRequest, person_id: int) -> HttpResponse:
    require(request, PeoplePerm.MERGE)
    survivor = selectors.access_person(request.user, person_id)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        duplicate = selectors.access_person(request.user, form.cleaned_data["duplicate"])
        try:
            services.person_merge(
                actor=request.user, survivor=survivor, duplicate=duplicate, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已将 {duplicate.name}（编号 {duplicate.pk}）并入本记录")
    return redirect("people:person_detail", person_id=survivor.pk)


REVEAL_COLUMNS = [
    ("时间", lambda r: r.revealed_at),
    ("查看人", lambda r: str(r.viewer)),
    ("单位", lambda r: r.viewer.unit.name if r.viewer.unit else ""),
    ("人员", lambda r: r.person.name if r.person else ""),
    ("查看内容", lambda r: r.get_field_display()),
    ("事由", lambda r: r.reason),
    ("IP", lambda r: r.remote_addr or ""),
]


@login_required
@require_safe
def reveal_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, PeoplePerm.VIEW_REVEALS)
    return render_list(
        request,
        template="people/reveal_list.html",
        queryset=selectors.reveal_list(viewer=request.user),
        columns=REVEAL_COLUMNS,
        export_name="个人信息查看记录",
        context={},
    )


@login_required
@require_safe
def person_history(request: AuthedHttpRequest, person_id: int) -> HttpResponse:
    """The person's audit trail; numbers in it are masked like everywhere else."""
    require(request, PeoplePerm.VIEW_HISTORY)
    person = selectors.access_person(request.user, person_id)
    context = {
        "subject": person.name,
        "back_url": reverse("people:person_detail", kwargs={"person_id": person.pk}),
        "entries": history_of(person, *person.categories.all()),
    }
    return render(request, "includes/history.html", context)


CONFLICT_COLUMNS = [
    ("最近申请时间", lambda c: c.last_attempt_at),
    ("姓名", lambda c: c.person.name),
    ("证件号码", lambda c: c.person.id_number_masked),
    ("登记所在单位", lambda c: c.person.home_unit.name),
    ("申请登记单位", lambda c: c.requested_unit.name),
    ("申请人", lambda c: str(c.requested_by or "")),
    ("申请次数", lambda c: c.attempts),
    ("状态", lambda c: c.get_status_display()),
    ("处理说明", lambda c: c.note),
]


@login_required
@require_safe
def conflict_list(request: AuthedHttpRequest) -> HttpResponse:
    """Documents a unit could not register because the register holds them elsewhere (X1)."""
    require(request, PeoplePerm.RESOLVE_CONFLICTS)
    form = ConflictFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    return render_list(
        request,
        template="people/conflict_list.html",
        queryset=selectors.registration_conflict_list(viewer=request.user, status=status),
        columns=CONFLICT_COLUMNS,
        export_name="登记冲突",
        context={"form": form},
    )


@login_required
def conflict_resolve(request: AuthedHttpRequest, registration_conflict_id: int) -> HttpResponse:
    require(request, PeoplePerm.RESOLVE_CONFLICTS)
    conflict = selectors.access_registration_conflict(request.user, registration_conflict_id)
    form = ConflictResolveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.registration_conflict_resolve(
                    actor=request.user,
                    conflict=conflict,
                    transfer=form.cleaned_data["outcome"] == "transfer",
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("登记冲突已处理"))
                return redirect("people:conflict_list")
    return render(
        request, "people/conflict_resolve.html", {"conflict": conflict, "form": form}, status=status
    )
