"""Public venue-code submissions are limited per client address and per venue (S4).

Counters live in the shared cache (the database cache in production, shared by every app
server) in fixed windows; the limits come from the policy. A refused attempt is still counted
against its address, so a flood from one address stays refused until its window ends.
"""

from django.core.cache import cache

from shouhu.common import clock
from shouhu.screening.models import ScreeningPolicy

HOUR_SECONDS = 3600  # not a policy threshold: the length of the window the policy's limit counts in
MINUTE_SECONDS = 60  # not a policy threshold: as above, per minute


def _bump(key: str, timeout: int) -> int:
    # get/set rather than incr: the database cache's incr() would not keep the window's timeout.
    value = int(cache.get(key, 0)) + 1
    cache.set(key, value, timeout=timeout)
    return value


def declaration_refusal(*, venue_token: str, address: str, policy: ScreeningPolicy) -> str | None:
    """Count one submission; a message when it goes over a limit, else None."""
    moment = int(clock.now().timestamp())
    per_address = _bump(f"venue-decl:addr:{address}:{moment // HOUR_SECONDS}", HOUR_SECONDS)
    if per_address > policy.venue_declarations_per_address_per_hour:
        # Not counted against the venue: one address's flood must not shut the door for everyone.
        return "本网络提交申报过于频繁，请稍后再试，或请工作人员现场登记"
    per_venue = _bump(f"venue-decl:venue:{venue_token}:{moment // MINUTE_SECONDS}", MINUTE_SECONDS)
    if per_venue > policy.venue_declarations_per_venue_per_minute:
        return "当前申报人数较多，请稍等一分钟后再提交，或请工作人员现场登记"
    return None
