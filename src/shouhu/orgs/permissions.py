from enum import StrEnum


class OrgPerm(StrEnum):
    VIEW = "orgs.view"
    MANAGE = "orgs.manage"
    IMPORT = "orgs.import"
    VIEW_HISTORY = "orgs.view_history"
