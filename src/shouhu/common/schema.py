"""The OpenAPI schema: the one error body documented on every operation, one namespace per app."""

from typing import Any

from drf_spectacular.openapi import AutoSchema

from shouhu.common.api import ErrorSerializer


class ShouhuAutoSchema(AutoSchema):
    error_codes = ("400", "401", "403", "404")

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        """Every operation documents the one error body for the errors any endpoint may answer.

        Added to the finished operation through drf-spectacular's public overrides
        (`get_operation`, `resolve_serializer`, `map_renderers`): an operation that documents an
        error of its own keeps it."""
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        error = self.resolve_serializer(ErrorSerializer(), "response").ref
        media_types = self.map_renderers("media_type")
        responses = operation.setdefault("responses", {})
        for code in self.error_codes:
            body = {media_type: {"schema": error} for media_type in media_types}
            responses.setdefault(code, {"content": body, "description": ""})
        return operation

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        """Prefix components with their app, so two apps' `ReportOutput` never collide."""
        name = super().get_serializer_name(serializer, direction)
        module = type(serializer).__module__
        if not module.startswith("shouhu.") or module.startswith("shouhu.common."):
            return name  # shared components (the error body) keep their plain names
        prefix = "".join(part.capitalize() for part in module.split(".")[1].split("_"))
        return name if name.startswith(prefix) else f"{prefix}{name}"
