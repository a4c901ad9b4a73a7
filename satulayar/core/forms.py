"""What every page form shares: a service's ValidationError shown on the form."""

from django.core.exceptions import ValidationError


def form_errors_add(form, exc: ValidationError, fields: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on a form: each message under the form field of its name (or, with
    `fields`, the field that name maps to), and what has no such field above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        target = name if fields is None else fields.get(name)
        form.add_error(target if target in form.fields else None, errors)
