from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext_noop

from shouhu.alerts.permissions import AlertPerm
from shouhu.assistance.permissions import AssistancePerm
from shouhu.campaigns.permissions import CampaignPerm
from shouhu.community.permissions import CommunityPerm
from shouhu.eldercare.permissions import EldercarePerm
from shouhu.funerals.permissions import FuneralPerm
from shouhu.gatherings.permissions import GatheringPerm
from shouhu.marriage.permissions import MarriagePerm
from shouhu.orgs.permissions import OrgPerm
from shouhu.people.permissions import PeoplePerm
from shouhu.rectification.permissions import RectificationPerm
from shouhu.rescue.permissions import RescuePerm
from shouhu.screening.permissions import ScreeningPerm
from shouhu.staffing.permissions import StaffingPerm
from shouhu.training.permissions import TrainingPerm
from shouhu.vaccination.permissions import VaccinationPerm


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    code: str


NAVIGATION = [
    NavItem(gettext_noop("工作台"), "dashboard", "speedometer2", ""),
    NavItem(gettext_noop("提醒消息"), "alerts:inbox", "bell", AlertPerm.INBOX),
    NavItem(gettext_noop("组织机构"), "orgs:unit_list", "diagram-3", OrgPerm.VIEW),
    NavItem(gettext_noop("人员登记"), "people:person_list", "people", PeoplePerm.VIEW),
    NavItem(gettext_noop("入口查验"), "screening:desk_home", "qr-code-scan", ScreeningPerm.SCREEN),
    NavItem(gettext_noop("查验记录"), "screening:record_list", "clipboard-check", ScreeningPerm.VIEW),
    NavItem(gettext_noop("疫苗接种"), "vaccination:todo", "capsule", VaccinationPerm.VIEW),
    NavItem(gettext_noop("婚姻登记"), "marriage:registry_list", "heart", MarriagePerm.VIEW),
    NavItem(gettext_noop("养老机构"), "eldercare:overview", "house-heart", EldercarePerm.VIEW),
    NavItem(gettext_noop("殡葬服务"), "funerals:case_list", "flower1", FuneralPerm.VIEW),
    NavItem(gettext_noop("困难群众"), "assistance:household_list", "house-door", AssistancePerm.VIEW),
    NavItem(gettext_noop("村（社区）防控"), "community:overview", "houses", CommunityPerm.VIEW),
    NavItem(gettext_noop("聚集性活动"), "gatherings:gathering_list", "people-fill", GatheringPerm.VIEW),
    NavItem(gettext_noop("流浪乞讨救助"), "rescue:home", "sign-stop", RescuePerm.VIEW),
    NavItem(gettext_noop("请销假与报备"), "staffing:leave_list", "person-walking", StaffingPerm.VIEW),
    NavItem(
        gettext_noop("问题整改"), "rectification:finding_list", "clipboard2-check", RectificationPerm.VIEW
    ),
    NavItem(gettext_noop("培训记录"), "training:session_list", "mortarboard", TrainingPerm.VIEW),
    NavItem(gettext_noop("行动日历"), "campaigns:calendar", "calendar3", CampaignPerm.VIEW),
    NavItem(gettext_noop("阶段与政策"), "campaigns:campaign_current", "sliders", CampaignPerm.VIEW),
    NavItem(
        gettext_noop("服务暂停"), "campaigns:suspension_list", "pause-circle", CampaignPerm.VIEW_SUSPENSIONS
    ),
    NavItem(gettext_noop("查看记录"), "people:reveal_list", "eye", PeoplePerm.VIEW_REVEALS),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = [item for item in NAVIGATION if not item.code or user.has_code(item.code)]
    return {"navigation": items, "is_region_admin": user.is_superuser or user.role == "region_admin"}
