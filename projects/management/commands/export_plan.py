import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects.audit.actions import AuditAction
from projects.audit.commands import AuditedCommand
from projects.audit.services import audit_record
from projects.selectors.catalogue import PlanChoiceError, plan_choose, plan_export, plan_file


class Command(AuditedCommand):
    help = (
        "Print a plan. --format plan (the default): a plan file (docs/plan-format.md) that load_plan "
        "accepts and that reproduces the plan (export_plan … | load_plan - changes nothing); "
        "--format json: the exchange shape documented in the README (a contract other systems read)."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, nargs="?", help="the plan's year (may be left out with --document)")
        parser.add_argument("--format", choices=["plan", "json"], default="plan")
        parser.add_argument("--document", help="document number (文号), when a year has several plans")

    def handle(self, *args, year: int | None, format: str, document: str | None = None, **options):
        if year is None and not document:
            raise CommandError(_("请指定年度或 --document"))
        try:
            plan = plan_choose(year=year, document=document)
        except PlanChoiceError as exc:
            raise CommandError(str(exc)) from exc
        data = plan_file(plan=plan) if format == "plan" else plan_export(plan=plan)
        audit_record(action=AuditAction.EXPORT, obj=plan, detail={"what": "plan", "format": format})
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
