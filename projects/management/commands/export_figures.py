import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects.audit.actions import AuditAction
from projects.audit.commands import AuditedCommand
from projects.audit.services import audit_record
from projects.calendar import parse_month
from projects.selectors.catalogue import PlanChoiceError, plan_choose
from projects.selectors.reporting import figures_export


class Command(AuditedCommand):
    help = "Print every submission of a plan's month as JSON (the exchange shape documented in the README)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("--document", help="document number, when a year has several plans")

    def handle(self, *args, year: int, month: str, document: str | None = None, **options):
        try:
            the_month = parse_month(month)
        except ValueError as exc:
            raise CommandError(_("月份格式应为 YYYY-MM，如 2022-06")) from exc
        try:
            plan = plan_choose(year=year, document=document)
        except PlanChoiceError as exc:
            raise CommandError(str(exc)) from exc
        detail = {"what": "figures", "format": "json", "month": the_month}
        audit_record(action=AuditAction.EXPORT, obj=plan, detail=detail)
        self.stdout.write(json.dumps(figures_export(plan=plan, month=the_month), ensure_ascii=False, indent=2))
