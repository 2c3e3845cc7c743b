from django.http import HttpRequest

from shouhu.campaigns.policy import current_phase as phase_on


def current_phase(request: HttpRequest) -> dict[str, object]:
    """The phase banner on every page (C1)."""
    if request.path.startswith(("/api/", "/static/", "/healthz")):
        return {}
    return {"current_phase": phase_on()}
