"""Looking up a booking is limited per client address, per booking code and per phone (M2, X2).

Every look-up counts, right or wrong, and is counted before the booking is looked for, so a burst
of parallel guesses meets the limit too (`common.attempts`). A wrong code and a wrong phone answer
the same; after the limit, even a right pair is refused until the window ends. The limits are the
login limits of the settings.
"""

from django.conf import settings

from shouhu.common import attempts
from shouhu.people.idcard import InvalidPhone, phone_key


def _limit(kind: str) -> attempts.Limit:
    return attempts.Limit(
        f"marriage-lookup-{kind}", settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_FAILURE_WINDOW_SECONDS
    )


def lookup_allowed(*, address: str, code: str, phone: str) -> bool:
    """Count one look-up; False when the address, the code or the phone is at its limit."""
    try:
        phone_index = phone_key(phone)
    except InvalidPhone:
        phone_index = ""
    return attempts.attempt_take(
        [
            (_limit("address"), address),
            (_limit("code"), code.strip().upper()[:32]),
            (_limit("phone"), phone_index),
        ]
    )
