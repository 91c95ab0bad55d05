from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects.audit.actions import AuditAction
from projects.audit.commands import AuditedCommand
from projects.audit.services import audit_record
from projects.selectors.catalogue import PlanChoiceError, plans_choose
from projects.services.progress import progress_rebuild


class Command(AuditedCommand):
    help = "Recompute the progress tables from the submissions (gives the same rows as the live updates)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="only this year's plans")
        parser.add_argument("--document", help="only the plan of this document number (文号)")

    def handle(self, *args, year: int | None = None, document: str | None = None, **options):
        try:
            plans = plans_choose(year=year, document=document)
        except PlanChoiceError as exc:
            raise CommandError(str(exc)) from exc
        for plan in plans:
            rows = progress_rebuild(plan=plan)
            audit_record(action=AuditAction.PROGRESS_REBUILD, obj=plan, detail={"rows": rows})
            self.stdout.write(_("%(plan)s：重算进度 %(rows)s 行") % {"plan": plan, "rows": rows})
