"""Writes to the vaccination ledger: one validation path for pages, API and imports.

Every function is keyword-only, atomic and audited with its actor. Callers have already
checked that the person is theirs to record for (`selectors.access_person_for_recording`).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from shouhu.accounts.models import User
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.validation import clean, refuse
from shouhu.people.models import Person
from shouhu.vaccination import selectors
from shouhu.vaccination.models import (
    ContactMethod,
    ContactOutcome,
    Contraindication,
    ContraindicationSource,
    Deferral,
    DoseSource,
    Mobilisation,
    MobilisationContact,
    VaccinationReport,
    VaccineDose,
    VaccineProduct,
)
from shouhu.vaccination.schedule import report_schedule


def _lock(person: Person) -> None:
    """Serialise writes for one person, so two clerks cannot record the same dose at once."""
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).first()


# --- Products -----------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return "".join(text.split()).replace("(", "（").replace(")", "）")


def product_find(*, label: str) -> VaccineProduct:
    """A product named the way clerks write it: its short name, or manufacturer and vaccine."""
    wanted = _normalise(label)
    if wanted:
        products = list(VaccineProduct.objects.all())
        for product in products:
            names = {
                product.short_name,
                product.manufacturer + product.name,
                product.short_name + product.name,
            }
            if wanted in {_normalise(n) for n in names}:
                return product
        by_name = [p for p in products if _normalise(p.name) == wanted]
        if len(by_name) == 1:
            return by_name[0]
    raise refuse(
        f"未知的疫苗产品“{label.strip()}”，请填写疫苗产品简称（如"
        + "、".join(VaccineProduct.objects.order_by("short_name").values_list("short_name", flat=True))
        + "）",
        code="unknown_product",
        field="product",
    )


# --- Doses --------------------------------------------------------------------------------------


@dataclass
class DoseRecording:
    dose: VaccineDose
    created: bool


def _check_dose_dates(person: Person, vaccinated_on: dt.date) -> None:
    today = clock.today()
    if vaccinated_on > today:
        raise refuse(f"接种日期不能晚于今天（{today}）", code="dose_in_future", field="vaccinated_on")
    if person.birth_date and vaccinated_on < person.birth_date:
        raise refuse(
            f"接种日期不能早于出生日期（{person.birth_date}）",
            code="dose_before_birth",
            field="vaccinated_on",
        )
    if person.deceased_on and vaccinated_on > person.deceased_on:
        raise refuse(
            f"接种日期晚于死亡日期（{person.deceased_on}）", code="dose_after_death", field="vaccinated_on"
        )


def _check_schedule(
    *, doses: list[VaccineDose], product: VaccineProduct, dose_number: int, vaccinated_on: dt.date
) -> None:
    """The dose fits the schedule of the series it continues (the first dose's product)."""
    expected = len(doses) + 1
    if dose_number > expected:
        raise refuse(
            f"剂次须按顺序登记：此人已登记 {len(doses)} 剂，请先登记第{expected}剂",
            code="dose_out_of_order",
            field="dose_number",
        )
    schedule = doses[0].product if doses else product
    primary = schedule.doses_for_completion
    if dose_number > primary + 1:
        raise refuse(
            f"按“{schedule.short_name}”的接种程序（{schedule.schedule_text}），没有第{dose_number}剂",
            code="dose_beyond_schedule",
            field="dose_number",
        )
    booster = dose_number == primary + 1
    if booster and schedule.booster_after_days is None:
        raise refuse(
            f"“{schedule.short_name}”没有加强免疫程序（{schedule.schedule_text}），不能登记第{dose_number}剂",
            code="no_booster",
            field="dose_number",
        )
    if not booster and doses and product.name != schedule.name:
        raise refuse(
            f"全程接种须使用同一种疫苗：此人第1剂为“{schedule.short_name}（{schedule.name}）”，"
            f"第{dose_number}剂不能使用“{product.short_name}（{product.name}）”",
            code="dose_mixed_series",
            field="product",
        )
    if not doses:
        return
    previous = doses[-1]
    if vaccinated_on <= previous.vaccinated_on:
        raise refuse(
            f"第{dose_number}剂的接种日期须晚于第{previous.dose_number}剂（{previous.vaccinated_on}）",
            code="dose_before_previous",
            field="vaccinated_on",
        )
    gap = (vaccinated_on - previous.vaccinated_on).days
    if booster:
        needed = schedule.booster_after_days or 0
        if gap < needed:
            raise refuse(
                f"距完成全程接种（{previous.vaccinated_on}）仅 {gap} 天，"
                f"“{schedule.short_name}”的加强针须间隔至少 {needed} 天",
                code="booster_too_soon",
                field="vaccinated_on",
            )
    elif gap < schedule.min_interval_days:
        raise refuse(
            f"距第{previous.dose_number}剂（{previous.vaccinated_on}）仅 {gap} 天，"
            f"“{schedule.short_name}”相邻两剂须间隔至少 {schedule.min_interval_days} 天",
            code="dose_too_soon",
            field="vaccinated_on",
        )


@transaction.atomic
def dose_record(
    *,
    actor: User | None,
    person: Person,
    product: VaccineProduct,
    dose_number: int,
    vaccinated_on: dt.date,
    place: str = "",
    source: str = DoseSource.PAGE,
) -> DoseRecording:
    """Record one dose. The same dose recorded again (same number, date and product) is unchanged."""
    if dose_number < 1:
        raise refuse("剂次从 1 开始", code="invalid", field="dose_number")
    _check_dose_dates(person, vaccinated_on)
    _lock(person)
    doses = list(VaccineDose.objects.filter(person=person).select_related("product").order_by("dose_number"))
    existing = next((d for d in doses if d.dose_number == dose_number), None)
    if existing is not None:
        if existing.vaccinated_on == vaccinated_on and existing.product_id == product.pk:
            return DoseRecording(existing, created=False)
        raise refuse(
            f"第{dose_number}剂已登记（{existing.vaccinated_on}，{existing.product.short_name}）；"
            "如需更正，请先撤销该剂次",
            code="dose_already_recorded",
            field="dose_number",
            conflict=True,
        )
    _check_schedule(doses=doses, product=product, dose_number=dose_number, vaccinated_on=vaccinated_on)
    dose = VaccineDose(
        person=person,
        dose_number=dose_number,
        vaccinated_on=vaccinated_on,
        product=product,
        place=place.strip(),
        source=source,
        recorded_by=actor,
    )
    clean(dose, validate_constraints=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                dose.save()
        except IntegrityError as error:
            raise refuse("该剂次已登记", code="dose_already_recorded", conflict=True) from error
    return DoseRecording(dose, created=True)


@transaction.atomic
def dose_revoke(*, actor: User, dose: VaccineDose) -> None:
    """Undo a dose recorded in error; only the last one, so the series stays in order."""
    _lock(dose.person)
    last = VaccineDose.objects.filter(person_id=dose.person_id).order_by("-dose_number").first()
    if last is not None and last.pk != dose.pk:
        raise refuse(f"只能撤销最后登记的一剂（第{last.dose_number}剂）", code="not_last_dose", conflict=True)
    with acting_as(actor):
        dose.delete()


# --- Contraindications and deferrals ---------------------------------------------------------


@transaction.atomic
def contraindication_record(
    *,
    actor: User | None,
    person: Person,
    condition: str,
    source: str,
    source_detail: str = "",
    noted_on: dt.date | None = None,
) -> Contraindication:
    today = clock.today()
    noted_on = noted_on or today
    if not condition.strip():
        raise refuse("请填写禁忌情况", code="invalid", field="condition")
    if source not in ContraindicationSource.values:
        raise refuse("请选择禁忌症的依据", code="invalid", field="source")
    if noted_on > today:
        raise refuse("登记日期不能晚于今天", code="invalid", field="noted_on")
    item = Contraindication(
        person=person,
        condition=condition.strip(),
        source=source,
        source_detail=source_detail.strip(),
        noted_on=noted_on,
        recorded_by=actor,
    )
    clean(item)
    with acting_as(actor):
        item.save()
    return item


@transaction.atomic
def contraindication_lift(
    *, actor: User, contraindication: Contraindication, reason: str
) -> Contraindication:
    """The person is back on the to-do list from today."""
    if contraindication.lifted_on is not None:
        raise refuse(f"该禁忌症已于 {contraindication.lifted_on} 解除", code="already_lifted", conflict=True)
    if not reason.strip():
        raise refuse("请填写解除原因", code="invalid", field="reason")
    contraindication.lifted_on = max(clock.today(), contraindication.noted_on)
    contraindication.lift_reason = reason.strip()
    with acting_as(actor):
        contraindication.save(update_fields=["lifted_on", "lift_reason", "updated_at"])
    return contraindication


@transaction.atomic
def deferral_record(
    *, actor: User | None, person: Person, reason: str, until: dt.date, starts_on: dt.date | None = None
) -> Deferral:
    today = clock.today()
    starts_on = starts_on or today
    if not reason.strip():
        raise refuse("请填写暂缓原因", code="invalid", field="reason")
    if starts_on > today:
        raise refuse("开始日期不能晚于今天", code="invalid", field="starts_on")
    if until < today:
        raise refuse("暂缓截止日期不能早于今天", code="invalid", field="until")
    _lock(person)
    current = (
        Deferral.objects.filter(person=person, until__gte=today, ended_on__isnull=True)
        .order_by("-until")
        .first()
    )
    if current is not None:
        raise refuse(
            f"此人已暂缓接种至 {current.until}；如需调整，请先结束该暂缓",
            code="already_deferred",
            field="until",
            conflict=True,
        )
    deferral = Deferral(
        person=person, reason=reason.strip(), starts_on=starts_on, until=until, recorded_by=actor
    )
    clean(deferral)
    with acting_as(actor):
        deferral.save()
    return deferral


@transaction.atomic
def deferral_end(*, actor: User, deferral: Deferral) -> Deferral:
    """End a deferral early: the person is back on the to-do list from today."""
    today = clock.today()
    if deferral.ended_on is not None or deferral.until < today:
        raise refuse("该暂缓已经结束", code="already_ended", conflict=True)
    deferral.ended_on = max(today, deferral.starts_on)
    with acting_as(actor):
        deferral.save(update_fields=["ended_on", "updated_at"])
    return deferral


# --- One-to-one mobilisation -----------------------------------------------------------------


@transaction.atomic
def mobiliser_assign(
    *,
    actor: User,
    person: Person,
    mobiliser_user: User | None = None,
    mobiliser_name: str = "",
    mobiliser_role: str = "",
) -> Mobilisation:
    """Name the one mobiliser of a person: a staff user, or a named person (村医, 网格员, 亲属)."""
    name = mobiliser_name.strip()
    if (mobiliser_user is None) == (not name):
        raise refuse(
            "请选择一名工作人员，或填写动员人姓名（二者选一）", code="invalid", field="mobiliser_name"
        )
    if mobiliser_user is not None and (not mobiliser_user.is_active or not mobiliser_user.role):
        raise refuse("该用户不是在岗工作人员", code="invalid", field="mobiliser_user")
    _lock(person)
    mobilisation = Mobilisation.objects.filter(person=person).first() or Mobilisation(person=person)
    mobilisation.mobiliser_user = mobiliser_user
    mobilisation.mobiliser_name = "" if mobiliser_user else name
    mobilisation.mobiliser_role = "" if mobiliser_user else mobiliser_role.strip()
    mobilisation.assigned_on = clock.today()
    mobilisation.assigned_by = actor
    clean(mobilisation, validate_unique=False)
    with acting_as(actor):
        mobilisation.save()
    return mobilisation


@transaction.atomic
def contact_log(
    *,
    actor: User,
    person: Person,
    contacted_on: dt.date,
    method: str,
    outcome: str,
    next_step: str = "",
    next_contact_on: dt.date | None = None,
) -> MobilisationContact:
    if contacted_on > clock.today():
        raise refuse("联系日期不能晚于今天", code="invalid", field="contacted_on")
    if method not in ContactMethod.values:
        raise refuse("请选择联系方式", code="invalid", field="method")
    if outcome not in ContactOutcome.values:
        raise refuse("请选择联系结果", code="invalid", field="outcome")
    if next_contact_on and next_contact_on < contacted_on:
        raise refuse("下次联系日期不能早于本次联系日期", code="invalid", field="next_contact_on")
    mobilisation = Mobilisation.objects.filter(person=person).select_related("mobiliser_user").first()
    contact = MobilisationContact(
        person=person,
        contacted_on=contacted_on,
        method=method,
        outcome=outcome,
        next_step=next_step.strip(),
        next_contact_on=next_contact_on,
        mobiliser_label=mobilisation.mobiliser_label if mobilisation else str(actor),
        recorded_by=actor,
    )
    clean(contact)
    with acting_as(actor):
        contact.save()
    return contact


# --- Reports ------------------------------------------------------------------------------------


@transaction.atomic
def report_submit(*, actor: User, period_start: dt.date, note: str = "") -> VaccinationReport:
    """The unit head confirms the system's figures for a period and submits them to the region."""
    unit = selectors.reporting_unit_of(actor)
    if unit is None:
        raise refuse(
            "接种进度由县（市、区）民政局、地区民政局科室和直属单位报送，本账号所在单位不需报送",
            code="not_a_reporting_unit",
        )
    today = clock.today()
    schedule = report_schedule(today)
    period = schedule.period_starting(period_start) if schedule else None
    if period is None:
        raise refuse("没有这个报送周期", code="unknown_period", field="period_start")
    if period.starts_on > today:
        raise refuse("该周期尚未开始", code="period_not_started", field="period_start")
    existing = VaccinationReport.objects.select_for_update().filter(unit=unit, period_start=period.starts_on)
    if existing.exists():
        raise refuse(f"{period}已报送", code="already_submitted", field="period_start", conflict=True)
    as_of = min(today, period.ends_on)
    figures = selectors.figures_for_unit(unit=unit, as_of=as_of)
    report = VaccinationReport(
        unit=unit,
        period_start=period.starts_on,
        period_end=period.ends_on,
        due_on=period.due_on,
        as_of=as_of,
        note=note.strip(),
        submitted_by=actor,
        submitted_at=clock.now(),
        is_late=today > period.due_on,
        **figures.as_dict(),
    )
    clean(report, validate_constraints=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError as error:
            raise refuse(f"{period}已报送", code="already_submitted", conflict=True) from error
    return report
