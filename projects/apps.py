from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = _("民生实事")

    def ready(self) -> None:
        from projects.audit import receivers as audit_receivers
        from projects.security import receivers as security_receivers

        audit_receivers.connect()
        security_receivers.connect()
