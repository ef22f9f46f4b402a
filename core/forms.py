from django import forms

from .errors import DomainError


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Shows a service's domain error on the form: on its fields where named, else on top."""
    if not exc.fields:
        form.add_error(None, str(exc.message))
        return
    for field, messages in exc.fields.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
