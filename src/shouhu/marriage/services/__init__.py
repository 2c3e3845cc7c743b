"""Writes of marriage registration, one module per concern: slot rows and seats (`slots`), a
registry's rules (`registry`), bookings (`bookings`), the waiting list (`waiting`), the counter
(`counter`) and non-compliance reports (`reports`). Every function is keyword-only and atomic.
Reads are in `marriage.selectors`."""

from shouhu.marriage.services.bookings import (
    ROLE_LABELS,
    CleanParty,
    Disclosure,
    PartyInput,
    booking_audit,
    booking_cancel,
    booking_create,
    booking_reschedule,
    bookings_end_on_death,
    check_legal_age,
    check_slot,
    clean_parties,
    disclose_everything,
    disclose_to_phone_holders,
    disclose_to_staff,
    new_booking_code,
    registered_parties,
    suspension_notify,
)
from shouhu.marriage.services.counter import (
    booking_register_done,
    counter_check_in,
    counter_screen,
    hall_log_record,
)
from shouhu.marriage.services.registry import (
    date_override_set,
    registry_settings_update,
    slot_template_add,
    slot_template_remove,
    surge_date_set,
    surge_dates_sync_upcoming,
)
from shouhu.marriage.services.reports import (
    NON_COMPLIANCE_ALERT,
    report_close,
    report_recipient_add,
    report_recipient_remove,
)
from shouhu.marriage.services.slots import slots_make, slots_make_upcoming
from shouhu.marriage.services.waiting import SUSPENDED_DAY_NOTE, booking_confirm_offer, offers_expire

__all__ = [
    "NON_COMPLIANCE_ALERT",
    "ROLE_LABELS",
    "SUSPENDED_DAY_NOTE",
    "CleanParty",
    "Disclosure",
    "PartyInput",
    "booking_audit",
    "booking_cancel",
    "booking_confirm_offer",
    "booking_create",
    "booking_register_done",
    "booking_reschedule",
    "bookings_end_on_death",
    "check_legal_age",
    "check_slot",
    "clean_parties",
    "counter_check_in",
    "counter_screen",
    "date_override_set",
    "disclose_everything",
    "disclose_to_phone_holders",
    "disclose_to_staff",
    "hall_log_record",
    "new_booking_code",
    "offers_expire",
    "registered_parties",
    "registry_settings_update",
    "report_close",
    "report_recipient_add",
    "report_recipient_remove",
    "slot_template_add",
    "slot_template_remove",
    "slots_make",
    "slots_make_upcoming",
    "surge_date_set",
    "surge_dates_sync_upcoming",
    "suspension_notify",
]
