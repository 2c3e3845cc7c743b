from enum import StrEnum


class GatheringPerm(StrEnum):
    VIEW = "gatherings.view"
    RECORD = "gatherings.record"  # take applications, keep the list, check at the door (村委会)
    DECIDE = "gatherings.decide"  # approve or refuse applications (乡镇政府)
