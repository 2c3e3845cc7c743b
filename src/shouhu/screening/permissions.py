from enum import StrEnum


class ScreeningPerm(StrEnum):
    VIEW = "screening.view"
    SCREEN = "screening.screen"
    MANAGE_RISK_AREAS = "screening.manage_risk_areas"
    MANAGE_ISOLATION = "screening.manage_isolation"
    MANAGE_VENUES = "screening.manage_venues"
