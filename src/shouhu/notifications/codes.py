"""Proof of a phone for the public pages: a one-time code sent through the outbox.

A public page that would act for a person, or tell anything about them, first sends a code to
the person's phone (`phone_code_send`) and acts only once the code comes back
(`phone_code_verify`). Sending is limited per phone and per client address, typing per code;
the limits are the policy's (`PhoneCodePolicy`). The code is random, kept only as a keyed hash,
and expires.
"""

import datetime as dt
import hmac
import secrets
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from shouhu.common import attempts, clock
from shouhu.common.crypto import blind_index
from shouhu.common.errors import DomainError
from shouhu.notifications.models import PhoneCode, PhoneCodePolicy
from shouhu.notifications.services import message_enqueue
from shouhu.orgs.models import OrgUnit
from shouhu.people.idcard import normalised_phone_key

CODE_DIGITS = 6  # not a policy threshold: the length every SMS code of the country has
DAY_SECONDS = 86_400  # not a policy threshold: the window the per-phone limit counts in
HOUR_SECONDS = 3_600  # not a policy threshold: the window the per-address limit counts in


class TooManyAttempts(DomainError):
    status_code = 429


def _sends_per_phone(policy: PhoneCodePolicy) -> attempts.Limit:
    return attempts.Limit("code-phone", policy.codes_per_phone_per_day, DAY_SECONDS)


def _sends_per_address(policy: PhoneCodePolicy) -> attempts.Limit:
    return attempts.Limit("code-address", policy.codes_per_address_per_hour, HOUR_SECONDS)


def _digest(token: str, code: str) -> str:
    return blind_index("phone-code", f"{token}:{code}")


def phone_code_send(
    *,
    purpose: str,
    unit: OrgUnit,
    phone: str,
    text: Callable[[str, int], str],
    client_address: str,
    policy: PhoneCodePolicy,
) -> PhoneCode:
    """Send a new code to `phone` (normalised) in the message `text(code, minutes valid)`.

    Refused with 429 when the phone or the client address has had its share of codes."""
    if not attempts.attempt_take(
        [(_sends_per_phone(policy), phone), (_sends_per_address(policy), client_address)]
    ):
        raise TooManyAttempts(_("获取验证码过于频繁，请稍后再试，或到现场办理"), code="too_many_codes")
    code = "".join(secrets.choice("0123456789") for _digit in range(CODE_DIGITS))
    token = secrets.token_urlsafe(32)
    minutes = policy.code_valid_minutes
    with transaction.atomic():
        sent = PhoneCode.objects.create(
            token=token,
            purpose=purpose,
            phone=phone,
            phone_index=normalised_phone_key(phone),
            code_digest=_digest(token, code),
            expires_at=clock.now() + dt.timedelta(minutes=minutes),
        )
        message_enqueue(unit=unit, phone=phone, body=text(code, minutes), kind=purpose)
    return sent


def phone_code_verify(*, sent: PhoneCode, code: str, policy: PhoneCodePolicy) -> bool:
    """Whether `code` is the one sent. A wrong code counts; a code expires, and after the
    policy's wrong tries it can no longer be used (a new one must be sent)."""
    with transaction.atomic():
        locked = PhoneCode.objects.select_for_update().get(pk=sent.pk)
        if locked.verified_at is not None:
            return True
        usable = clock.now() < locked.expires_at and locked.wrong_tries < policy.code_tries
        typed = "".join(code.split())
        if usable and hmac.compare_digest(locked.code_digest, _digest(locked.token, typed)):
            locked.verified_at = clock.now()
            locked.save(update_fields=["verified_at", "updated_at"])
            sent.verified_at = locked.verified_at
            return True
        if usable:
            locked.wrong_tries += 1
            locked.save(update_fields=["wrong_tries", "updated_at"])
        sent.wrong_tries = locked.wrong_tries
        return False


def phone_code_usable(sent: PhoneCode, policy: PhoneCodePolicy) -> bool:
    """Whether the code can still be typed (not expired, tries left)."""
    return sent.verified_at is not None or (
        clock.now() < sent.expires_at and sent.wrong_tries < policy.code_tries
    )


def phone_codes_purge() -> int:
    """Delete codes that expired (periodic cleanup): a code is worth nothing after its minutes."""
    deleted, _rows = PhoneCode.objects.filter(expires_at__lt=clock.now()).delete()
    return deleted
