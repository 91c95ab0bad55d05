from django.utils.translation import gettext as _

from projects.audit.actions import AuditAction
from projects.audit.commands import AuditedCommand
from projects.audit.services import audit_record
from projects.security.roles import roles_ensure


class Command(AuditedCommand):
    help = "Create the role groups (office, system, security and audit administrators) with their permissions."

    def handle(self, *args, **options):
        granted = {}
        for group in roles_ensure().values():
            names = sorted(
                f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
            )
            granted[group.name] = names
            self.stdout.write(_("%(group)s：%(count)d 项权限") % {"group": group.name, "count": len(names)})
        audit_record(action=AuditAction.ROLES_SETUP, detail={"groups": granted})
