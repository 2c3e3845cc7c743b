"""Roles and the permission codes they carry.

Codes are defined per app (`<app>/permissions.py`); this table is the only place that says
which role may do what. Which *rows* a user sees is decided by the org tree (scope.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shouhu.accounts.permissions import AccountPerm
from shouhu.alerts.permissions import AlertPerm
from shouhu.assistance.permissions import AssistancePerm
from shouhu.campaigns.permissions import CampaignPerm
from shouhu.community.permissions import CommunityPerm
from shouhu.eldercare.permissions import EldercarePerm
from shouhu.funerals.permissions import FuneralPerm
from shouhu.gatherings.permissions import GatheringPerm
from shouhu.marriage.permissions import MarriagePerm
from shouhu.notifications.permissions import NotificationPerm
from shouhu.orgs.models import InstitutionType
from shouhu.orgs.permissions import OrgPerm
from shouhu.people.permissions import PeoplePerm
from shouhu.rectification.permissions import RectificationPerm
from shouhu.rescue.permissions import RescuePerm
from shouhu.screening.permissions import ScreeningPerm
from shouhu.staffing.permissions import StaffingPerm
from shouhu.training.permissions import TrainingPerm
from shouhu.vaccination.permissions import VaccinationPerm


class Role(models.TextChoices):
    REGION_ADMIN = "region_admin", _("地区管理员")
    DEPARTMENT_COORDINATOR = "department_coordinator", _("科室统筹人员")
    COUNTY_STAFF = "county_staff", _("县（市、区）民政局工作人员")
    TOWNSHIP_STAFF = "township_staff", _("乡镇（街道）工作人员")
    VILLAGE_STAFF = "village_staff", _("村（社区）工作人员")
    INSTITUTION_STAFF = "institution_staff", _("服务机构工作人员")
    LOTTERY_SPECIALIST = "lottery_specialist", _("福彩专管员")
    INSPECTOR = "inspector", _("督导检查人员")
    LEADER = "leader", _("领导（只读）")


READ = {
    AlertPerm.INBOX,  # every role reads and acknowledges its own alerts (X6)
    OrgPerm.VIEW,
    PeoplePerm.VIEW,
    CampaignPerm.VIEW,
    CampaignPerm.VIEW_SUSPENSIONS,
}

HISTORY = {OrgPerm.VIEW_HISTORY, CampaignPerm.VIEW_HISTORY, PeoplePerm.VIEW_HISTORY}

# Who keeps the person register of their units, and who may see unmasked numbers (PIPL).
PEOPLE_CLERK = {PeoplePerm.MANAGE, PeoplePerm.IMPORT}
PEOPLE_OFFICE = {
    *PEOPLE_CLERK,
    PeoplePerm.MERGE,
    PeoplePerm.REVEAL,
    PeoplePerm.EXPORT_UNMASKED,
    PeoplePerm.VIEW_REVEALS,
}

# Vaccination (V1–V5): field staff keep the ledger, unit heads report, the region watches. A
# department coordinator keeps and reports its own staff's ledger (条); where its unit coordinates
# vaccination (办公室) it reads every county's too (scope.sees_whole_region).
VACCINATION_FIELD = {VaccinationPerm.VIEW, VaccinationPerm.RECORD}
VACCINATION_HEAD = {*VACCINATION_FIELD, VaccinationPerm.MANAGE_REPORTS}
VACCINATION_REGION = {VaccinationPerm.VIEW, VaccinationPerm.VIEW_REGION}

# Entry screening (S1–S4): staff of institutions and the bureaus above them screen at entrances and
# keep the isolation register of their people; the region keeps the list of risk areas.
SCREENING_FIELD = {ScreeningPerm.VIEW, ScreeningPerm.SCREEN}
SCREENING_HEAD = {*SCREENING_FIELD, ScreeningPerm.MANAGE_ISOLATION, ScreeningPerm.MANAGE_VENUES}
SCREENING_REGION = {ScreeningPerm.VIEW, ScreeningPerm.MANAGE_RISK_AREAS}

# Funeral services (F1–F3): funeral homes and their county bureau keep cases, the remains workflow
# and protective-equipment stock; the region and inspectors read.
FUNERALS_FIELD = {FuneralPerm.VIEW, FuneralPerm.MANAGE_CASES, FuneralPerm.MANAGE_PPE}

# Nursing homes (E1–E4): home staff and the bureaus above them record checks, results, logs and
# movements, and keep closures and testing rounds; the region and its coordinating department read.
ELDERCARE_FIELD = {EldercarePerm.VIEW, EldercarePerm.RECORD}
ELDERCARE_HEAD = {*ELDERCARE_FIELD, EldercarePerm.MANAGE}

# Marriage registration (M1–M7): registry clerks work the counter; county bureaus keep the rules
# and close non-compliance reports; the coordinating department follows every county's reports.
MARRIAGE_COUNTER = {MarriagePerm.VIEW, MarriagePerm.COUNTER, NotificationPerm.VIEW, NotificationPerm.RESEND}
MARRIAGE_COUNTY = {*MARRIAGE_COUNTER, MarriagePerm.MANAGE, MarriagePerm.MANAGE_REPORTS}
MARRIAGE_REGION = {MarriagePerm.VIEW, MarriagePerm.MANAGE_REPORTS, NotificationPerm.VIEW}

# Assistance (A1–A11): village and township staff keep their households and visit them; the county
# bureau names the responsible people, follows up signals, keeps standards and assesses incomes;
# the region's 社会救助科 (which coordinates the task) and the region-wide roles read every county.
ASSISTANCE_FIELD = {AssistancePerm.VIEW, AssistancePerm.RECORD}
ASSISTANCE_COUNTY = {*ASSISTANCE_FIELD, AssistancePerm.MANAGE}

# Training (G5, R5): bureaus, townships, villages and institutions record the sessions they organise
# and who attended (their subtree: training.selectors); the region-wide roles read.
TRAINING_STAFF = {TrainingPerm.VIEW, TrainingPerm.MANAGE}

# Villages and communities (G1, G2, G4–G6): village staff keep their roster, checkpoints, closure
# plan and supplies, and the township and county may keep them for their villages; township and
# county staff switch a village into and out of emergency state (the township's command decides it,
# the county may too); county staff record field visits.
COMMUNITY_VILLAGE = {CommunityPerm.VIEW, CommunityPerm.MANAGE}
COMMUNITY_TOWNSHIP = {*COMMUNITY_VILLAGE, CommunityPerm.SWITCH_EMERGENCY}
COMMUNITY_COUNTY = {*COMMUNITY_TOWNSHIP, CommunityPerm.RECORD_VISITS}

# Gatherings (G3): the village committee takes applications, keeps the participant list and checks
# the door; the township approves or refuses; the county may take them too (a funeral case's
# ceremony, which only the county sees); the region-wide roles read.
GATHERINGS_VILLAGE = {GatheringPerm.VIEW, GatheringPerm.RECORD}
GATHERINGS_TOWNSHIP = {*GATHERINGS_VILLAGE, GatheringPerm.DECIDE}

# Vagrant and beggar rescue (R1–R4): rescue stations and their county bureau record patrols, people
# rescued, returns and incidents; the bureau closes incidents with the finding on liability; the
# region's 救助管理总站 (which coordinates the task) and the region-wide roles read.
RESCUE_STATION = {RescuePerm.VIEW, RescuePerm.RECORD}
RESCUE_COUNTY = {*RESCUE_STATION, RescuePerm.CLOSE_INCIDENTS}

# Staff leave and travel reports (R4) of every civil-affairs unit: a unit files for its own staff
# and its subtree's; the head of the unit or of a unit above approves leave and acknowledges trips
# to risk areas (never their own, nor one they filed: staffing.selectors.can_decide). Township
# staff file; their county bureau approves. Inspectors and leaders read.
STAFFING_CLERK = {StaffingPerm.VIEW, StaffingPerm.REQUEST}
STAFFING_HEAD = {*STAFFING_CLERK, StaffingPerm.APPROVE}

# Findings and their rectification (G1, L3, Q2, Q3): the unit that must fix a problem reports its
# rectification with evidence; the unit that found it, or one above, accepts or returns it (never
# the responsible unit itself: rectification.services.reviewing_unit_refusal). County and township
# staff find problems in the units below them; the region's staff, inspectors and lottery
# specialists find and review; leaders read.
RECTIFICATION_FIELD = {RectificationPerm.VIEW, RectificationPerm.RECTIFY}
RECTIFICATION_REVIEW = {RectificationPerm.VIEW, RectificationPerm.RECORD, RectificationPerm.REVIEW}
RECTIFICATION_UNIT = {*RECTIFICATION_FIELD, *RECTIFICATION_REVIEW}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.REGION_ADMIN: frozenset(
        READ
        | HISTORY
        | {
            OrgPerm.MANAGE,
            OrgPerm.IMPORT,
            CampaignPerm.MANAGE,
            CampaignPerm.MANAGE_POLICY,
            CampaignPerm.MANAGE_SUSPENSIONS,
            AccountPerm.MANAGE_USERS,
            *PEOPLE_OFFICE,
            PeoplePerm.RESOLVE_CONFLICTS,
            *VACCINATION_REGION,
            *SCREENING_REGION,
            ScreeningPerm.MANAGE_ISOLATION,
            ScreeningPerm.MANAGE_VENUES,
            *ELDERCARE_HEAD,
            EldercarePerm.MANAGE_CHECKLIST,
            FuneralPerm.VIEW,
            *MARRIAGE_COUNTY,
            AssistancePerm.VIEW,
            TrainingPerm.VIEW,
            CommunityPerm.VIEW,
            GatheringPerm.VIEW,
            RescuePerm.VIEW,
            *STAFFING_HEAD,
            *RECTIFICATION_REVIEW,
        }
    ),
    Role.DEPARTMENT_COORDINATOR: frozenset(
        READ
        | HISTORY
        | VACCINATION_HEAD
        | VACCINATION_REGION
        | SCREENING_REGION
        | MARRIAGE_REGION
        | {FuneralPerm.VIEW, EldercarePerm.VIEW, AssistancePerm.VIEW, TrainingPerm.VIEW}
        | {CommunityPerm.VIEW, RescuePerm.VIEW, GatheringPerm.VIEW}
        | STAFFING_HEAD
        | RECTIFICATION_REVIEW
    ),
    Role.COUNTY_STAFF: frozenset(
        READ
        | HISTORY
        | PEOPLE_CLERK
        | {
            OrgPerm.MANAGE,
            CampaignPerm.MANAGE_SUSPENSIONS,
            PeoplePerm.MERGE,
            PeoplePerm.REVEAL,
            PeoplePerm.RESOLVE_CONFLICTS,
        }
        | VACCINATION_HEAD
        | SCREENING_HEAD
        | ELDERCARE_HEAD
        | FUNERALS_FIELD
        | MARRIAGE_COUNTY
        | ASSISTANCE_COUNTY
        | TRAINING_STAFF
        | COMMUNITY_COUNTY
        | GATHERINGS_VILLAGE
        | RESCUE_COUNTY
        | STAFFING_HEAD
        | RECTIFICATION_UNIT
    ),
    Role.TOWNSHIP_STAFF: frozenset(
        READ
        | PEOPLE_CLERK
        | VACCINATION_FIELD
        | SCREENING_FIELD
        | ELDERCARE_FIELD
        | ASSISTANCE_FIELD
        | TRAINING_STAFF
        | COMMUNITY_TOWNSHIP
        | GATHERINGS_TOWNSHIP
        | STAFFING_CLERK
        | RECTIFICATION_UNIT
        | {CampaignPerm.MANAGE_SUSPENSIONS, ScreeningPerm.MANAGE_ISOLATION}
    ),
    Role.VILLAGE_STAFF: frozenset(
        READ
        | PEOPLE_CLERK
        | VACCINATION_FIELD
        | ASSISTANCE_FIELD
        | TRAINING_STAFF
        | COMMUNITY_VILLAGE
        | GATHERINGS_VILLAGE
        | RECTIFICATION_FIELD
        | {ScreeningPerm.VIEW, ScreeningPerm.MANAGE_ISOLATION}
    ),
    Role.INSTITUTION_STAFF: frozenset(
        READ
        | PEOPLE_CLERK
        | VACCINATION_FIELD
        | SCREENING_FIELD
        | FUNERALS_FIELD
        | ELDERCARE_HEAD
        | MARRIAGE_COUNTER
        | TRAINING_STAFF
        | RESCUE_STATION
        | STAFFING_HEAD
        | RECTIFICATION_FIELD
        | {CampaignPerm.MANAGE_SUSPENSIONS, MarriagePerm.MANAGE}
    ),
    Role.LOTTERY_SPECIALIST: frozenset(READ | SCREENING_FIELD | RECTIFICATION_REVIEW),
    Role.INSPECTOR: frozenset(
        READ
        | HISTORY
        | {VaccinationPerm.VIEW, ScreeningPerm.VIEW, FuneralPerm.VIEW, EldercarePerm.VIEW}
        | {MarriagePerm.VIEW, AssistancePerm.VIEW, TrainingPerm.VIEW, CommunityPerm.VIEW}
        | {RescuePerm.VIEW, StaffingPerm.VIEW, GatheringPerm.VIEW}
        | RECTIFICATION_REVIEW
    ),
    Role.LEADER: frozenset(
        READ
        | HISTORY
        | VACCINATION_REGION
        | {PeoplePerm.VIEW_REVEALS, ScreeningPerm.VIEW, FuneralPerm.VIEW, EldercarePerm.VIEW}
        | {MarriagePerm.VIEW, AssistancePerm.VIEW, TrainingPerm.VIEW, CommunityPerm.VIEW}
        | {RescuePerm.VIEW, StaffingPerm.VIEW, RectificationPerm.VIEW, GatheringPerm.VIEW}
    ),
}


# An institution's staff do the work of their kind of institution only: a nursing home's staff
# keep no marriage counter and no funeral cases, a registry's no nursing-home records.
INSTITUTION_TYPE_CODES: dict[str, frozenset[str]] = {
    InstitutionType.NURSING_HOME: frozenset(ELDERCARE_HEAD),
    InstitutionType.FUNERAL_HOME: frozenset(FUNERALS_FIELD),
    InstitutionType.MARRIAGE_REGISTRY: frozenset({*MARRIAGE_COUNTER, MarriagePerm.MANAGE}),
    InstitutionType.RESCUE_STATION: frozenset(RESCUE_STATION),
}
TYPE_BOUND_CODES = frozenset().union(*INSTITUTION_TYPE_CODES.values())


def role_permissions(role: str, institution_type: str = "") -> frozenset[str]:
    """The codes of `role`; for an institution's staff, those of their institution's type."""
    codes = ROLE_PERMISSIONS.get(role, frozenset())
    if role != Role.INSTITUTION_STAFF:
        return codes
    return (codes - TYPE_BOUND_CODES) | (codes & INSTITUTION_TYPE_CODES.get(institution_type, frozenset()))
