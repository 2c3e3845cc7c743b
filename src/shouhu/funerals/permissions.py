from enum import StrEnum


class FuneralPerm(StrEnum):
    VIEW = "funerals.view"
    MANAGE_CASES = "funerals.manage_cases"
    MANAGE_PPE = "funerals.manage_ppe"
