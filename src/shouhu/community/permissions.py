from enum import StrEnum


class CommunityPerm(StrEnum):
    VIEW = "community.view"
    # The roster, checkpoints, the closure plan, supplies and on-duty checks of one's villages.
    MANAGE = "community.manage"
    # Switching a village into and out of emergency state (township and county staff).
    SWITCH_EMERGENCY = "community.switch_emergency"
    # County field visits (G1) and the findings they record.
    RECORD_VISITS = "community.record_visits"
