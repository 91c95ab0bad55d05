from django.utils.translation import gettext as _

from projects.audit.commands import AuditedCommand
from projects.services.notifications import notification_rules_setup
from projects.services.schedules import schedules_setup


class Command(AuditedCommand):
    help = (
        "Write the default periodic jobs (django-celery-beat) and notification rules into the database. "
        "Idempotent: what exists already, edited in the admin or not, is left as it is."
    )

    def handle(self, *args, **options):
        for name, created in schedules_setup():
            self.stdout.write(("  + " if created else "  = ") + name)
        rules = notification_rules_setup()
        self.stdout.write(_("周期任务已就绪；新建通知规则 %(rules)s 条（已有的保持不变）") % {"rules": rules})
