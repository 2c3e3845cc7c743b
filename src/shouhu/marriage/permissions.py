from enum import StrEnum


class MarriagePerm(StrEnum):
    VIEW = "marriage.view"
    COUNTER = "marriage.counter"
    MANAGE = "marriage.manage"
    MANAGE_REPORTS = "marriage.manage_reports"
