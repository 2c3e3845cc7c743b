"""Writes of the accounts app."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from shouhu.accounts.models import User


@transaction.atomic
def api_token_issue(*, user: User) -> str:
    """The user's API token, made the first time they ask for one (DRF keeps one per user).

    The user is the actor: only their own password, checked by the caller, gets here."""
    token, _created = Token.objects.get_or_create(user=user)
    return token.key
