from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from shouhu.alerts import selectors
from shouhu.alerts.permissions import AlertPerm


def unread_alerts(request: HttpRequest) -> dict[str, object]:
    """The header's unread badge: one COUNT, and only when a page actually shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_code(AlertPerm.INBOX):
        return {"alerts_inbox": False}
    return {
        "alerts_inbox": True,
        "alerts_unread": SimpleLazyObject(lambda: selectors.unread_count(viewer=user)),
    }
