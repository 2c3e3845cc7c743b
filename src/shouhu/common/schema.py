"""The OpenAPI schema: the one error body documented on every operation, one namespace per app."""

from typing import Any

from drf_spectacular.openapi import AutoSchema

from shouhu.common.api import ErrorSerializer


class ShouhuAutoSchema(AutoSchema):
    error_codes = ("400", "401", "403", "404")

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction=direction)
        for code in self.error_codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        return responses

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        """Prefix components with their app, so two apps' `ReportOutput` never collide."""
        name = super().get_serializer_name(serializer, direction)
        module = type(serializer).__module__
        if not module.startswith("shouhu.") or module.startswith("shouhu.common."):
            return name  # shared components (the error body) keep their plain names
        prefix = "".join(part.capitalize() for part in module.split(".")[1].split("_"))
        return name if name.startswith(prefix) else f"{prefix}{name}"
