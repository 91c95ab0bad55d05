from django.utils.translation import gettext as _

from projects.audit.actions import AuditAction
from projects.audit.commands import AuditedCommand
from projects.audit.services import audit_record
from projects.models import Plan
from projects.services.progress import progress_rebuild


class Command(AuditedCommand):
    help = "Recompute the progress tables from the submissions (gives the same rows as the live updates)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="only this year's plans")

    def handle(self, *args, year: int | None = None, **options):
        plans = Plan.objects.all() if year is None else Plan.objects.filter(year=year)
        for plan in plans:
            rows = progress_rebuild(plan=plan)
            audit_record(action=AuditAction.PROGRESS_REBUILD, obj=plan, detail={"rows": rows})
            self.stdout.write(_("%(plan)s：重算进度 %(rows)s 行") % {"plan": plan, "rows": rows})
