"""The OpenAPI schema: the one error body documented on every operation."""

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
