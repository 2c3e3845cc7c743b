from django import forms

from shouhu.common.errors import DomainError


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal beside the fields it names, or above the form."""
    placed = False
    for field, messages in error.field_errors.items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            placed = True
    if (
        not placed
        or not error.field_errors
        or (error.message and all(error.message not in m for ms in error.field_errors.values() for m in ms))
    ):
        form.add_error(None, error.message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)  # type: ignore[arg-type]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)  # type: ignore[arg-type]


def form_problems(form: forms.BaseForm) -> str:
    """A form's errors as one line: each field's label with its messages."""
    lines = []
    for name, errors in form.errors.items():
        text = "、".join(str(error) for error in errors)
        field = form.fields.get(name)
        lines.append(f"{field.label or name}：{text}" if field is not None else text)
    return "；".join(lines)


def form_status(*forms_shown: forms.BaseForm | None) -> int:
    """400 when a submitted form on the page was refused (as the API answers), else 200."""
    return 400 if any(form is not None and form.is_bound and form.errors for form in forms_shown) else 200
