"""How personal numbers look on screen, in exports and in the audit log."""


def mask_id_number(value: str) -> str:
    """232700********123X: region and the last four, never the birth date."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    if len(value) < 15:  # passports and permits: too short to keep the region and the last four
        return value[:1] + "*" * (len(value) - 4) + value[-3:]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_any(value: str) -> str:
    """The audit log's mask for any personal field (django-auditlog's mask_callable)."""
    text = str(value)
    digits = text.lstrip("+")
    if digits.isdigit() and len(digits) <= 13:
        return mask_phone(text)
    return mask_id_number(text)
