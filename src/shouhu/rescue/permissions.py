from enum import StrEnum


class RescuePerm(StrEnum):
    VIEW = "rescue.view"
    RECORD = "rescue.record"
    CLOSE_INCIDENTS = "rescue.close_incidents"
