"""The one exception type that services raise for a broken rule.

A single handler turns it into the API's error body and pages show its message beside the
field, so every rule speaks to the clerk in the same words wherever it is broken.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A business rule refused the request. `code` is stable; `message` is for people."""

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        field_errors: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.field_errors: dict[str, list[str]] = {
            key: [str(m) for m in value] for key, value in (field_errors or {}).items()
        }

    def on_reported(self) -> None:
        """Keep whatever the refusal itself must leave behind (the region's list of conflicts).

        Called by whoever reports the refusal once the refused write was rolled back: a service
        wrapping its own transaction, or the import runner for rows of an import it writes."""


class ConflictError(DomainError):
    """The request is valid but the current state forbids it (full, already done, …)."""

    status_code = 409


def domain_error_from_validation(error: ValidationError) -> DomainError:
    """Model `full_clean()` errors, reported the same way as service rules."""
    if hasattr(error, "error_dict"):
        fields = {
            key: [str(message) for e in errors for message in e.messages]
            for key, errors in error.error_dict.items()
        }
        non_field = fields.pop("__all__", [])
        summary = "；".join(non_field) or "；".join(m for ms in fields.values() for m in ms)
        return DomainError(summary or "输入有误", code="invalid", field_errors=fields)
    return DomainError("；".join(error.messages), code="invalid")
