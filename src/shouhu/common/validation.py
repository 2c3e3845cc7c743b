"""What every service uses to refuse bad input the same way.

`clean` runs a model's own validation (fields, constraints) and turns Django's errors into the
one `DomainError` every view and API shows; `raise_all` refuses every problem a service found at
once, each beside its field; `refuse` builds a refusal with a field to point at;
`parse_temperature` reads a typed temperature for screening, nursing homes and the registry
counter alike.
"""

from collections.abc import Collection
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from shouhu.common.errors import ConflictError, DomainError, domain_error_from_validation

# The range a thermometer on a living person reads: outside it the reading is a typo, never a
# fever. A physical bound, not a policy threshold (the fever line is `temperature_limit`).
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")


def clean(
    instance: Model,
    *,
    exclude: Collection[str] = (),
    validate_unique: bool = True,
    validate_constraints: bool = True,
) -> None:
    """`full_clean`, its errors as a `DomainError` with one message per field."""
    try:
        instance.full_clean(
            exclude=exclude, validate_unique=validate_unique, validate_constraints=validate_constraints
        )
    except ValidationError as error:
        raise domain_error_from_validation(error) from error


def raise_all(errors: dict[str, list[str]], *, code: str) -> None:
    """Refuse with every problem found, each beside its field, if there is any."""
    if errors:
        summary = "；".join(m for ms in errors.values() for m in ms)
        raise DomainError(summary, code=code, field_errors=errors)


def refuse(message: str, *, code: str, field: str | None = None, conflict: bool = False) -> DomainError:
    """A refusal to raise; `field` points the form at the input to correct, `conflict` answers
    409 (the input was fine, the state of the records forbids it)."""
    error_type = ConflictError if conflict else DomainError
    return error_type(message, code=code, field_errors={field: [message]} if field else None)


def parse_temperature(value: object) -> Decimal | None:
    """A temperature as typed (36.5, "36.5"), to one decimal; blank is None (the caller decides
    whether one is required). Anything else, or a reading outside 34–43 ℃, is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        temperature = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        temperature = Decimal("NaN")
    if not temperature.is_finite():
        raise refuse(_("体温应为数字，如 36.5"), code="invalid_temperature", field="temperature")
    if not TEMPERATURE_MIN <= temperature <= TEMPERATURE_MAX:
        raise refuse(
            _("体温 %(value)s℃ 不在 %(min)s–%(max)s℃ 之间，请重新测量")
            % {"value": value, "min": TEMPERATURE_MIN, "max": TEMPERATURE_MAX},
            code="invalid_temperature",
            field="temperature",
        )
    return temperature.quantize(Decimal("0.1"))


def require_temperature(value: object) -> Decimal:
    """A temperature that must be given (a counter or a health check is a measurement)."""
    temperature = parse_temperature(value)
    if temperature is None:
        raise refuse(_("请填写体温，如 36.5"), code="invalid_temperature", field="temperature")
    return temperature
