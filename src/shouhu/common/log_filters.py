"""Logging filters (settings.LOGGING).

A page that refuses a user raises PermissionDenied, and Django logs it on `django.request` at
WARNING with the exception attached, so every refusal wrote a full traceback: noise that buries
real errors and says nothing the status does not. The refusal stays in the log as one line with
the path and the user's id, which is what an administrator looks for.
"""

import logging


class PermissionDeniedOneLine(logging.Filter):
    """For `django.request`: a 403's record keeps its line and loses its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403 or not record.exc_info:
            return True
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else "anonymous"
        path = getattr(request, "path", "")
        record.msg = "Forbidden (Permission denied): %s user=%s"
        record.args = (path, user_id)
        record.exc_info = None
        record.exc_text = None
        return True
