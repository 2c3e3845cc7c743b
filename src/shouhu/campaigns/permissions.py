from enum import StrEnum


class CampaignPerm(StrEnum):
    VIEW = "campaigns.view"
    MANAGE = "campaigns.manage"
    MANAGE_POLICY = "campaigns.manage_policy"
    VIEW_SUSPENSIONS = "campaigns.view_suspensions"
    MANAGE_SUSPENSIONS = "campaigns.manage_suspensions"
    VIEW_HISTORY = "campaigns.view_history"
