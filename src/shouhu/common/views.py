from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from shouhu.common import keyring, workers


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the site can serve, 503 when it cannot (for monitors and load balancers).

    503 when the database does not answer, when the personal-data keys are missing, malformed or
    cannot read the stored data ("personal_data_keys"), or when tasks wait and no task worker is
    alive ("worker"). A site with nothing waiting and no worker stays 200 with "worker": "none":
    small imports run in the request, so nothing is stuck until a task is queued."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    keys = keyring.health()
    worker = workers.worker_health()
    stuck = worker != "ok" and workers.tasks_waiting()
    healthy = keys == "ok" and not stuck
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": "ok",
            "personal_data_keys": keys,
            "worker": worker,
        },
        status=200 if healthy else 503,
    )
