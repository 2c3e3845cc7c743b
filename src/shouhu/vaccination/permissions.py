from enum import StrEnum


class VaccinationPerm(StrEnum):
    VIEW = "vaccination.view"
    RECORD = "vaccination.record"
    MANAGE_REPORTS = "vaccination.manage_reports"
    VIEW_REGION = "vaccination.view_region"
