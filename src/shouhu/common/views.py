from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, JsonResponse

from shouhu.common import keyring


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the site can serve, 503 when it cannot (for monitors and load balancers).

    503 when the database does not answer, or when the personal-data keys are missing, malformed
    or cannot read the stored data ("personal_data_keys")."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    keys = keyring.health()
    healthy = keys == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": "ok", "personal_data_keys": keys},
        status=200 if healthy else 503,
    )
