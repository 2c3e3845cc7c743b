import datetime as dt
import inspect
import re
from decimal import Decimal
from pathlib import Path

import pytest

from shouhu.assistance.models import AssistancePolicy
from shouhu.campaigns import calendar, selectors, services
from shouhu.campaigns.models import CampaignPolicy, KeyDate, Phase
from shouhu.campaigns.policy import (
    current_phase,
    current_policies,
    current_policy,
    policy_fields,
    policy_models,
)
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.gatherings.models import GatheringsPolicy
from shouhu.marriage.models import MarriagePolicy
from shouhu.screening.models import ScreeningPolicy

pytestmark = pytest.mark.django_db


def test_c1_plan_phases_are_seeded_with_the_plans_dates(plan_campaign):
    phases = list(plan_campaign.phases.order_by("starts_on").values_list("name", "starts_on", "ends_on"))
    assert phases == [
        ("游子归来护卫行动", dt.date(2021, 12, 13), dt.date(2022, 1, 30)),
        ("欢度佳节守卫行动", dt.date(2022, 1, 31), dt.date(2022, 2, 25)),
        ("重大节点保卫行动", dt.date(2022, 2, 26), dt.date(2022, 5, 21)),
    ]


def test_c1_current_phase_follows_the_clock(plan_campaign):
    assert current_phase().name == "游子归来护卫行动"
    assert current_phase(dt.date(2022, 2, 1)).name == "欢度佳节守卫行动"
    assert current_phase(dt.date(2022, 5, 22)) is None
    with clock.frozen(dt.datetime(2022, 3, 1, 9, 0)):
        assert current_phase().number == 3


def test_c1_phase_banner_on_every_page(client, plan_campaign, county_user):
    client.force_login(county_user)
    for url in ("/", "/orgs/", "/campaigns/calendar/", "/campaigns/suspensions/"):
        body = client.get(url).content.decode()
        assert "当前阶段：第1阶段 游子归来护卫行动" in body, url
        assert "外防“零漏管”" in body, url


def test_c1_phase_cannot_end_before_it_starts_or_overlap(plan_campaign, region_admin):
    first = plan_campaign.phases.get(number=1)
    with pytest.raises(DomainError) as backwards:
        services.phase_update(actor=region_admin, phase=first, ends_on=dt.date(2021, 12, 1))
    assert "不能早于" in backwards.value.message
    with pytest.raises(DomainError) as overlap:
        services.phase_update(actor=region_admin, phase=first, ends_on=dt.date(2022, 2, 5))
    assert "重叠" in overlap.value.message
    first.refresh_from_db()
    assert first.ends_on == dt.date(2022, 1, 30)


def test_c1_a_campaign_can_start_on_any_day(region_admin, tree):
    campaign = services.campaign_create(
        actor=region_admin, starts_on=dt.date(2026, 11, 18), name="新一期行动"
    )
    phases = list(campaign.phases.order_by("number"))
    assert [p.starts_on for p in phases] == [dt.date(2026, 11, 18), dt.date(2027, 1, 6), dt.date(2027, 2, 1)]
    assert campaign.ends_on == dt.date(2027, 4, 26)
    assert campaign.campaigns_policy.implementation_plan_deadline == dt.date(2026, 11, 22)


def test_c2_lunar_festivals_are_computed():
    assert calendar.spring_festival(2022) == dt.date(2022, 2, 1)
    assert calendar.lantern_festival(2022) == dt.date(2022, 2, 15)
    assert calendar.qingming(2022) == dt.date(2022, 4, 5)
    assert calendar.qixi(2022) == dt.date(2022, 8, 4)
    assert calendar.spring_festival(2027) == dt.date(2027, 2, 6)


def test_c2_key_dates_of_the_plan(plan_campaign):
    key_dates = {k.name: (k.starts_on, k.ends_on, k.is_computed) for k in plan_campaign.key_dates.all()}
    assert key_dates["元旦"][0] == dt.date(2022, 1, 1)
    assert key_dates["春节"][0] == dt.date(2022, 2, 1)
    assert key_dates["元宵节"][0] == dt.date(2022, 2, 15)
    assert key_dates["清明节"][0] == dt.date(2022, 4, 5)
    assert key_dates["“520”婚姻登记"][0] == dt.date(2022, 5, 20)
    assert key_dates["“521”婚姻登记"][0] == dt.date(2022, 5, 21)
    assert key_dates["七夕"][0] == dt.date(2022, 8, 4)
    assert key_dates["北京冬奥会"][:2] == (dt.date(2022, 2, 4), dt.date(2022, 2, 20))
    assert all(computed for *_, computed in key_dates.values())


def test_c2_calendar_warns_ahead_by_policy_days(plan_campaign, county_user, region_admin):
    # 2022-01-05: 春节 (02-01) is 27 days away, beyond the default 7; nothing else is near.
    view = selectors.calendar_view(viewer=county_user, campaign=plan_campaign)
    assert [w.key_date.name for w in view.warnings] == []
    services.policy_update(
        actor=region_admin, campaign=plan_campaign, model=CampaignPolicy, values={"key_date_warning_days": 30}
    )
    view = selectors.calendar_view(viewer=county_user, campaign=plan_campaign)
    assert [(w.key_date.name, w.days_ahead) for w in view.warnings] == [("春节", 27), ("北京冬奥会", 30)]


def test_c2_user_added_key_date_and_its_own_warning(plan_campaign, region_admin, county_user, client):
    services.key_date_create(
        actor=region_admin,
        campaign=plan_campaign,
        name="地区“两会”",
        category="four_meetings",
        starts_on=dt.date(2022, 1, 10),
        ends_on=dt.date(2022, 1, 12),
    )
    view = selectors.calendar_view(viewer=county_user, campaign=plan_campaign)
    assert [(w.key_date.name, w.days_ahead) for w in view.warnings] == [("地区“两会”", 5)]
    client.force_login(county_user)
    body = client.get("/campaigns/calendar/").content.decode()
    assert "距地区“两会”还有 5 天" in body
    with pytest.raises(DomainError):
        services.key_date_create(
            actor=region_admin,
            campaign=plan_campaign,
            name="倒序",
            category="other",
            starts_on=dt.date(2022, 1, 12),
            ends_on=dt.date(2022, 1, 10),
        )
    assert not KeyDate.objects.filter(name="倒序").exists()


def test_c2_holidays_seeded_and_editable_past_2026(region_admin, county_user, client):
    from shouhu.campaigns.models import Holiday

    assert Holiday.objects.get(date=dt.date(2022, 2, 1)).name == "春节"
    assert Holiday.objects.get(date=dt.date(2022, 1, 29)).kind == "workday"  # 调休
    assert not Holiday.objects.filter(date__year=2027).exists()
    services.holiday_set(actor=region_admin, date=dt.date(2027, 2, 6), name="春节", is_workday=False)
    client.force_login(county_user)
    assert "春节" in client.get("/campaigns/holidays/?year=2027").content.decode()


def test_c3_policy_holds_the_plans_numbers(plan_campaign):
    policy = current_policy(CampaignPolicy)
    assert policy.campaign_id == plan_campaign.pk
    gatherings = current_policy(GatheringsPolicy)
    assert (gatherings.approval_headcount, gatherings.test_window_hours) == (30, 48)
    assert (policy.lottery_first_suspension_days, policy.lottery_repeat_suspension_days) == (3, 7)
    assert (policy.lottery_patrols_per_week, policy.lottery_spot_checks_per_week) == (1, 2)
    assert policy.implementation_plan_deadline == dt.date(2021, 12, 17)
    assert current_policy(AssistancePolicy).hardship_months_for_dibao == 3
    screening = current_policy(ScreeningPolicy)
    assert screening.temperature_limit == Decimal("37.3")
    assert screening.risk_lookback_days == 14


def test_c3_every_module_has_its_own_policy_in_the_plans_order(plan_campaign):
    models = policy_models()
    assert [model._meta.app_label for model in models] == [
        "campaigns",
        "screening",
        "eldercare",
        "funerals",
        "marriage",
        "assistance",
        "community",
        "gatherings",
        "rescue",
        "staffing",
        "vaccination",
        "rectification",
        "notifications",
    ]
    # A new campaign has a row of each, with the plan's values.
    for model in models:
        row = model.objects.get(campaign=plan_campaign)
        assert row.pk
        assert getattr(plan_campaign, model.accessor()) == row
    # The 43 rules of the single policy the modules moved out of: none was lost. Assistance brought
    # 16 of its own beside the one it took over (A1–A11: visits, follow-ups, care, caps, hotline,
    # the application steps, …).
    # Rectification (G1, L3, Q2, Q3): 2 (default deadline, escalation days).
    # Staffing (R4): 2 (销假 grace days, travel-report lead days).
    # Gatherings (G3): 2 beside the 2 it took over (application lead days, decision due hours).
    # Rescue (R1–R4): 5 (daily patrol, follow-up hours, arrival days, Spring Festival, escorts vaccinated).
    assert (
        sum(len(policy_fields(model)) for model in models) == 43 + 16 + 9 + 2 + 2 + 5 + 2
    )  # community (G1, G2, G4–G6): 9


def test_c3_policy_of_a_day_is_the_running_campaigns_else_the_latest_started(db, django_assert_num_queries):
    from shouhu.campaigns.services import campaign_create

    long_run = campaign_create(actor=None, starts_on=dt.date(2022, 1, 1))
    ScreeningPolicy.objects.filter(campaign=long_run).update(temperature_limit=Decimal("37.0"))
    long_run.__class__.objects.filter(pk=long_run.pk).update(ends_on=dt.date(2022, 12, 31))
    later = campaign_create(actor=None, starts_on=dt.date(2022, 6, 1))  # ends with its phases
    ScreeningPolicy.objects.filter(campaign=later).update(temperature_limit=Decimal("37.2"))
    later.refresh_from_db()

    with django_assert_num_queries(1):
        assert current_policy(ScreeningPolicy, dt.date(2022, 3, 1)).temperature_limit == Decimal("37.0")
    assert current_policy(ScreeningPolicy, dt.date(2022, 6, 2)).campaign_id == later.pk  # both run: the later
    after_later = later.ends_on + dt.timedelta(days=1)
    assert current_policy(ScreeningPolicy, after_later).campaign_id == long_run.pk  # only the long one runs
    assert (
        current_policy(ScreeningPolicy, dt.date(2023, 3, 1)).campaign_id == later.pk
    )  # none: latest started
    assert current_policy(ScreeningPolicy, dt.date(2021, 12, 1)).pk is None  # before any: the plan's defaults


def test_c3_a_campaign_without_a_modules_row_has_the_plans_values_not_an_older_campaigns(db):
    from shouhu.campaigns.services import campaign_create

    earlier = campaign_create(actor=None, starts_on=dt.date(2021, 1, 1))
    ScreeningPolicy.objects.filter(campaign=earlier).update(temperature_limit=Decimal("37.0"))
    later = campaign_create(actor=None, starts_on=dt.date(2022, 1, 1))
    ScreeningPolicy.objects.filter(campaign=later).delete()  # made before screening had a policy

    policy = current_policy(ScreeningPolicy, dt.date(2022, 1, 5))
    assert (policy.pk, policy.campaign_id) == (None, later.pk)
    assert policy.temperature_limit == Decimal("37.3")
    # Editing it creates the row (audited like any edit).
    services.policy_update(
        actor=None, campaign=later, model=ScreeningPolicy, values={"risk_lookback_days": 21}
    )
    saved = ScreeningPolicy.objects.get(campaign=later)
    assert (saved.risk_lookback_days, saved.temperature_limit) == (21, Decimal("37.3"))


def test_c3_several_modules_policies_come_in_one_statement(plan_campaign, django_assert_num_queries):
    with django_assert_num_queries(1):
        marriage, screening = current_policies(MarriagePolicy, ScreeningPolicy)
    assert (marriage.daily_quota, screening.risk_lookback_days) == (40, 14)
    assert marriage.campaign_id == screening.campaign_id == plan_campaign.pk


def test_c3_without_a_campaign_the_plans_defaults_apply(db):
    policy = current_policy(ScreeningPolicy)
    assert policy.pk is None
    assert policy.temperature_limit == Decimal("37.3")
    assert current_policy(CampaignPolicy).suspension_max_days == 90


def test_c3_policy_edit_rejects_absurd_values_and_saves_nothing(plan_campaign, region_admin):
    for model, changes in (
        (ScreeningPolicy, {"temperature_limit": Decimal("45.0")}),
        (ScreeningPolicy, {"risk_lookback_days": 0}),
        (GatheringsPolicy, {"approval_headcount": -3}),
        (CampaignPolicy, {"lottery_first_suspension_days": 10, "lottery_repeat_suspension_days": 7}),
        (MarriagePolicy, {"marriage_daily_quota": 30}),  # the field is MarriagePolicy.daily_quota
    ):
        with pytest.raises(DomainError):
            services.policy_update(actor=region_admin, campaign=plan_campaign, model=model, values=changes)
    assert ScreeningPolicy.objects.get(campaign=plan_campaign).temperature_limit == Decimal("37.3")
    assert CampaignPolicy.objects.get(campaign=plan_campaign).lottery_first_suspension_days == 3


def test_c3_policy_edit_is_audited(plan_campaign, region_admin):
    from auditlog.models import LogEntry

    services.policy_update(
        actor=region_admin,
        campaign=plan_campaign,
        model=ScreeningPolicy,
        values={"temperature_limit": Decimal("37.2")},
    )
    policy = ScreeningPolicy.objects.get(campaign=plan_campaign)
    entry = LogEntry.objects.get_for_object(policy).order_by("-timestamp").first()
    assert entry.actor == region_admin
    assert entry.changes_dict["temperature_limit"] == ["37.3", "37.2"]


def test_c3_only_region_admin_edits_policy(client, plan_campaign, county_user, region_admin):
    url = f"/api/v1/campaigns/{plan_campaign.pk}/policy/screening/"
    client.force_login(county_user)
    refused = client.patch(url, {"risk_lookback_days": 21}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert client.get(url).json()["risk_lookback_days"] == 14
    client.force_login(region_admin)
    accepted = client.patch(url, {"risk_lookback_days": 21}, content_type="application/json")
    assert accepted.status_code == 200
    assert accepted.json()["risk_lookback_days"] == 21
    assert ScreeningPolicy.objects.get(campaign=plan_campaign).risk_lookback_days == 21
    bad = client.patch(url, {"temperature_limit": "50"}, content_type="application/json")
    assert bad.status_code == 400
    assert "temperature_limit" in bad.json()["error"]["fields"]
    unknown = client.patch(
        f"/api/v1/campaigns/{plan_campaign.pk}/policy/lottery/", {}, content_type="application/json"
    )
    assert unknown.status_code == 404


def test_c3_the_api_lists_every_modules_policy(client, plan_campaign, county_user):
    client.force_login(county_user)
    answer = client.get(f"/api/v1/campaigns/{plan_campaign.pk}/policy/").json()
    assert answer["campaign"] == plan_campaign.pk
    assert list(answer["modules"]) == [model._meta.app_label for model in policy_models()]
    assert answer["modules"]["marriage"]["daily_quota"] == 40
    assert answer["modules"]["campaigns"]["implementation_plan_deadline"] == "2021-12-17"


def _policy_model_lines() -> dict[str, range]:
    """Where each module's policy is declared: its defaults are the plan's numbers."""
    root = Path(__file__).resolve().parents[2]
    lines = {}
    for model in policy_models():
        source, first = inspect.getsourcelines(model)
        lines[Path(inspect.getsourcefile(model)).relative_to(root).as_posix()] = range(
            first, first + len(source)
        )
    return lines


THRESHOLD_LITERALS = re.compile(
    r"37\.3|\b(?:days|hours|weeks)\s*=\s*\d+|(?<![:<>])[<>]=?\s*(?:30|48|14)\b|timedelta\(\s*\d+"
)


def test_c3_no_threshold_literals_outside_the_policy():
    root = Path(__file__).resolve().parents[2]
    allowed = {"campaigns/plan.py", "campaigns/calendar.py"}
    policies = _policy_model_lines()
    assert len(policies) == len(policy_models())  # one policy per module's models.py
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or relative in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if number in policies.get(relative, ()):
                continue
            if THRESHOLD_LITERALS.search(line) and "# not a policy threshold" not in line:
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "阈值应来自政策参数：\n" + "\n".join(offenders)


def test_c1_phase_model_constraint_holds_in_the_database(plan_campaign):
    from django.db import IntegrityError, transaction

    phase = plan_campaign.phases.get(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.filter(pk=phase.pk).update(ends_on=dt.date(2021, 1, 1))


def test_x3_campaign_history_lists_policy_changes(client, plan_campaign, region_admin, county_user):
    services.policy_update(
        actor=region_admin, campaign=plan_campaign, model=ScreeningPolicy, values={"risk_lookback_days": 21}
    )
    client.force_login(county_user)
    page = client.get(f"/campaigns/{plan_campaign.pk}/history/").content.decode()
    assert "risk_lookback_days" in page or "中高风险地区旅居史回溯天数" in page
    assert "14 → 21" in page
    assert str(region_admin) in page


def test_c3_the_filing_deadline_stays_inside_the_campaign(plan_campaign, region_admin):
    from shouhu.campaigns.services import policy_update

    for wrong in (dt.date(1, 1, 1), dt.date(9999, 12, 31), plan_campaign.ends_on + dt.timedelta(days=1)):
        with pytest.raises(DomainError) as refused:
            policy_update(
                actor=region_admin,
                campaign=plan_campaign,
                model=CampaignPolicy,
                values={"implementation_plan_deadline": wrong},
            )
        assert "implementation_plan_deadline" in refused.value.field_errors
    policy = current_policy(CampaignPolicy)
    assert policy.implementation_plan_deadline == dt.date(2021, 12, 17)
    policy_update(
        actor=region_admin,
        campaign=plan_campaign,
        model=CampaignPolicy,
        values={"implementation_plan_deadline": plan_campaign.ends_on},
    )
    policy.refresh_from_db()
    assert policy.implementation_plan_deadline == plan_campaign.ends_on


def test_c3_every_rule_of_the_policy_is_shown_to_staff(client, plan_campaign, county_user):
    """Staff who may not edit the policy still read all of it: every module's rules, new ones
    included, grouped in the plan's order."""
    client.force_login(county_user)
    page = client.get(f"/campaigns/{plan_campaign.pk}/").content.decode()
    table = page[page.index('data-testid="policy"') :]
    sections = [table.index(f'data-testid="policy-{model._meta.app_label}"') for model in policy_models()]
    assert sections == sorted(sections)
    for model in policy_models():
        for name in policy_fields(model):
            assert f"<th>{model._meta.get_field(name).verbose_name}</th>" in table, name
    assert "<th>婚姻登记每日总量（对）</th><td>40</td>" in table
    assert "<th>允许遗体告别仪式</th><td>否</td>" in table
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/campaigns/{plan_campaign.pk}/").content.decode()
    assert "<th>Body temperature limit (℃)</th>" in english


def test_c3_each_modules_policy_is_saved_on_its_own_from_the_page(client, plan_campaign, region_admin):
    client.force_login(region_admin)
    url = f"/campaigns/{plan_campaign.pk}/"
    page = client.get(url).content.decode()
    assert page.count('name="module"') == len(policy_models())
    fields = {
        f"marriage-{name}": getattr(plan_campaign.marriage_policy, name)
        for name in policy_fields(MarriagePolicy)
    }
    saved = client.post(url, {"module": "marriage", **fields, "marriage-daily_quota": 30})
    assert saved.status_code == 302
    assert MarriagePolicy.objects.get(campaign=plan_campaign).daily_quota == 30
    # The screening form's fields were not sent: screening's policy is untouched.
    assert ScreeningPolicy.objects.get(campaign=plan_campaign).temperature_limit == Decimal("37.3")
    refused = client.post(url, {"module": "marriage", **fields, "marriage-daily_quota": 0})
    assert refused.status_code == 400
    assert MarriagePolicy.objects.get(campaign=plan_campaign).daily_quota == 30
