from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def bs(field: BoundField) -> SafeString:
    """Render a form field with Bootstrap's compact classes (and the error state)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select form-select-sm"
    else:
        css = "form-control form-control-sm"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.filter
def has_code(user: object, code: str) -> bool:
    """`{% if user|has_code:"marriage.counter" %}`: whether the user's role grants a code."""
    check = getattr(user, "has_code", None)
    return bool(check and check(code))
