from dataclasses import dataclass

from django.http import HttpRequest

from shouhu.alerts.permissions import AlertPerm
from shouhu.campaigns.permissions import CampaignPerm
from shouhu.eldercare.permissions import EldercarePerm
from shouhu.funerals.permissions import FuneralPerm
from shouhu.marriage.permissions import MarriagePerm
from shouhu.orgs.permissions import OrgPerm
from shouhu.people.permissions import PeoplePerm
from shouhu.screening.permissions import ScreeningPerm
from shouhu.vaccination.permissions import VaccinationPerm


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    code: str


NAVIGATION = [
    NavItem("工作台", "dashboard", "speedometer2", ""),
    NavItem("提醒消息", "alerts:inbox", "bell", AlertPerm.INBOX),
    NavItem("组织机构", "orgs:unit_list", "diagram-3", OrgPerm.VIEW),
    NavItem("人员登记", "people:person_list", "people", PeoplePerm.VIEW),
    NavItem("入口查验", "screening:desk_home", "qr-code-scan", ScreeningPerm.SCREEN),
    NavItem("查验记录", "screening:record_list", "clipboard-check", ScreeningPerm.VIEW),
    NavItem("疫苗接种", "vaccination:todo", "capsule", VaccinationPerm.VIEW),
    NavItem("婚姻登记", "marriage:registry_list", "heart", MarriagePerm.VIEW),
    NavItem("养老机构", "eldercare:overview", "house-heart", EldercarePerm.VIEW),
    NavItem("殡葬服务", "funerals:case_list", "flower1", FuneralPerm.VIEW),
    NavItem("行动日历", "campaigns:calendar", "calendar3", CampaignPerm.VIEW),
    NavItem("阶段与政策", "campaigns:campaign_current", "sliders", CampaignPerm.VIEW),
    NavItem("服务暂停", "campaigns:suspension_list", "pause-circle", CampaignPerm.VIEW_SUSPENSIONS),
    NavItem("查看记录", "people:reveal_list", "eye", PeoplePerm.VIEW_REVEALS),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = [item for item in NAVIGATION if not item.code or user.has_code(item.code)]
    return {"navigation": items, "is_region_admin": user.is_superuser or user.role == "region_admin"}
