from enum import StrEnum


class AssistancePerm(StrEnum):
    VIEW = "assistance.view"
    RECORD = "assistance.record"  # households, members, visits: the village and township staff
    MANAGE = "assistance.manage"  # responsibility, follow-ups, standards, assessments: the county
