from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project package as an app, so its system checks are registered at start-up."""

    name = "tenantmgmt"
    verbose_name = "tenantmgmt"

    def ready(self) -> None:
        from . import https  # noqa: F401  (registers the deploy check tenantmgmt.W008)
