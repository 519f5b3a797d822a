"""Query-string and button forms of the web UI; each error names the parameter it is about."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .selectors import LIST_ORDERINGS
from .services import MAX_REPLICAS
from .states import State

SORT_CHOICES = [(key, key) for key in LIST_ORDERINGS] + [("uptime", "uptime"), ("-uptime", "-uptime")]


class TenantListQuery(forms.Form):
    """``?state=&q=&sort=`` of the tenant list."""

    state = forms.ChoiceField(choices=[("", "All states"), *State.choices], required=False)
    q = forms.CharField(max_length=100, required=False, strip=True)
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)


class HistoryQuery(forms.Form):
    """``?cursor=`` of the History tab: the opaque keyset cursor of the metrics selector."""

    cursor = forms.CharField(max_length=500, required=False)


class OperateForm(forms.Form):
    """The reason typed next to the buttons, and the replicas of Scale."""

    reason = forms.CharField(max_length=500, required=False, strip=True)


class ScaleForm(OperateForm):
    replicas = forms.IntegerField(min_value=0, max_value=MAX_REPLICAS)


def errors_in_words(form: forms.Form) -> str:
    """``"replicas: Enter a whole number."``: every error, prefixed by the parameter it is about."""
    return " ".join(f"{field}: {' '.join(messages)}" for field, messages in form.errors.items())


def validation_in_words(error: ValidationError) -> str:
    """A selector's ``ValidationError`` as one line, each message prefixed by its parameter."""
    if hasattr(error, "error_dict"):
        return " ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)
