"""The add/edit form for a schedule, shared by the web UI and the admin.

Validation is the model's (cron with croniter, time zone with zoneinfo, replicas for scale
only); saving goes through ``tenants.schedules.services``.
"""

from __future__ import annotations

from typing import Any

from django import forms

from ..models import Tenant
from .models import ScheduleAction, TenantSchedule
from .services import schedule_create, schedule_update


class ScheduleForm(forms.ModelForm):
    """Add a schedule to ``tenant`` (pass it) or edit ``instance``; ``save(actor=...)`` writes it."""

    class Meta:
        model = TenantSchedule
        fields = ["action", "replicas", "cron", "timezone", "enabled"]
        labels = {"cron": "Cron expression", "timezone": "Time zone"}
        widgets = {
            "cron": forms.TextInput(attrs={"placeholder": "0 20 * * 1-5", "spellcheck": "false"}),
            "timezone": forms.TextInput(attrs={"placeholder": "Europe/Berlin", "list": "timezone-names"}),
            "replicas": forms.NumberInput(attrs={"min": 0}),
        }

    def __init__(self, *args: Any, tenant: Tenant | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if tenant is not None:
            self.instance.tenant = tenant
        self.fields["replicas"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("action") and cleaned["action"] != ScheduleAction.SCALE:
            # A replicas value left in the form from "scale" means nothing for start or stop.
            cleaned["replicas"] = None
            self.instance.replicas = None
        return cleaned

    def save(self, commit: bool = True, *, actor: str = "") -> TenantSchedule:
        """Create or update through the services; ``commit=False`` (the admin's first step) saves nothing."""
        if not commit:
            self.save_m2m = lambda: None
            return self.instance
        if not actor:
            raise ValueError("save() needs the actor (the user's name).")
        data = {field: self.cleaned_data[field] for field in self.Meta.fields if field in self.cleaned_data}
        if self.instance.pk is None:
            self.instance = schedule_create(
                tenant=self.instance.tenant,
                action=data["action"],
                replicas=data.get("replicas"),
                cron=data["cron"],
                timezone_name=data["timezone"],
                enabled=data.get("enabled", True),
                actor=actor,
            )
        else:
            changed = {field: data[field] for field in self.changed_data if field in data}
            if "action" in changed:
                changed["replicas"] = data.get("replicas")
            self.instance = schedule_update(schedule=self.instance, actor=actor, **changed)
        return self.instance
