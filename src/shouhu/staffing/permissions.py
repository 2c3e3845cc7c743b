from enum import StrEnum


class StaffingPerm(StrEnum):
    VIEW = "staffing.view"
    # File leave requests and travel reports for the staff of one's own subtree, record returns.
    REQUEST = "staffing.request"
    # Approve or refuse leave and acknowledge travel to a risk area: the unit's head or the unit above.
    APPROVE = "staffing.approve"
