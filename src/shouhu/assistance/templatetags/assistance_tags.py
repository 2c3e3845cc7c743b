"""Template filters of the assistance pages."""

from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def bs_lg(field: BoundField) -> SafeString:
    """A form field in Bootstrap's large size, for the pages filled in on a phone in the field
    (`shouhu.bs` renders the compact size of the office pages)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select form-select-lg"
    else:
        css = "form-control form-control-lg"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})
