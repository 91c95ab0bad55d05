from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from projects.security.roles import roles_ensure


class Command(BaseCommand):
    help = "Create the role groups (office, system, security and audit administrators) with their permissions."

    def handle(self, *args, **options):
        for group in roles_ensure().values():
            count = group.permissions.count()
            self.stdout.write(_("%(group)s：%(count)d 项权限") % {"group": group.name, "count": count})
