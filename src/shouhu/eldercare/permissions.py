from enum import StrEnum


class EldercarePerm(StrEnum):
    VIEW = "eldercare.view"
    RECORD = "eldercare.record"  # health checks, test results, daily logs, movements, shifts
    MANAGE = "eldercare.manage"  # closures and testing rounds
    MANAGE_CHECKLIST = "eldercare.manage_checklist"  # the region's daily-log checklist
