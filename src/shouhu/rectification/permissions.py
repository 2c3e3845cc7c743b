from enum import StrEnum


class RectificationPerm(StrEnum):
    VIEW = "rectification.view"  # read the findings of one's units (and those one's unit found)
    RECORD = "rectification.record"  # record a finding from a module's visit, check or inspection
    RECTIFY = "rectification.rectify"  # the responsible unit reports its rectification with evidence
    REVIEW = "rectification.review"  # the unit that found it (or above) accepts or returns it
