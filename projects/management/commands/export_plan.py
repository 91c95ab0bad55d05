import json

from django.core.management.base import CommandError

from projects.audit.actions import AuditAction
from projects.audit.commands import AuditedCommand
from projects.audit.services import audit_record
from projects.selectors.catalogue import PlanChoiceError, plan_choose, plan_export


class Command(AuditedCommand):
    help = "Print a year's plan as JSON (the exchange shape documented in the README)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("--document", help="document number, when a year has several plans")

    def handle(self, *args, year: int, document: str | None = None, **options):
        try:
            plan = plan_choose(year=year, document=document)
        except PlanChoiceError as exc:
            raise CommandError(str(exc)) from exc
        audit_record(action=AuditAction.EXPORT, obj=plan, detail={"what": "plan", "format": "json"})
        self.stdout.write(json.dumps(plan_export(plan=plan), ensure_ascii=False, indent=2))
