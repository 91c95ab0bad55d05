"""Management commands whose acts the audit trail attributes to them, and to who ran them where."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from projects.audit.models import AuditVia
from projects.audit.services import audit_context, command_source


class AuditedCommand(BaseCommand):
    """Every record written while the command runs says ``via=command`` and names it."""

    def execute(self, *args: Any, **options: Any) -> Any:
        name = type(self).__module__.rsplit(".", 1)[-1]
        with audit_context(via=AuditVia.COMMAND, source=command_source(name)):
            return super().execute(*args, **options)
