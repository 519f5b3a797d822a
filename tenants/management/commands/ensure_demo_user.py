"""Create the demo login (a superuser) and the viewer/operator groups if missing; print the login."""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "tenantmgmt-demo"

GROUPS = {
    "Tenant viewers": ["view_tenant", "view_tenantstatehistory"],
    "Tenant operators": ["view_tenant", "view_tenantstatehistory", "operate_tenant"],
}


class Command(BaseCommand):
    help = "Create the demo superuser (DEMO_USERNAME / DEMO_PASSWORD) and the standard groups."

    def handle(self, *args, **options) -> None:
        for group_name, codenames in GROUPS.items():
            group, _ = Group.objects.get_or_create(name=group_name)
            group.permissions.add(*Permission.objects.filter(content_type__app_label="tenants", codename__in=codenames))
        username = os.environ.get("DEMO_USERNAME", DEFAULT_USERNAME)
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            self.stdout.write(f"Demo login: {username} (exists; password unchanged)")
            return
        user_model.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(self.style.SUCCESS(f"Demo login: {username} / {password}"))
