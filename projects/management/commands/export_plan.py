import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects.audit.actions import AuditAction
from projects.audit.commands import AuditedCommand
from projects.audit.services import audit_record
from projects.models import Plan
from projects.selectors.catalogue import plan_export, plan_for_year


class Command(AuditedCommand):
    help = "Print a year's plan as JSON (the exchange shape documented in the README)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("--document", help="document number, when a year has several plans")

    def handle(self, *args, year: int, document: str | None = None, **options):
        try:
            plan = plan_for_year(year=year, document=document)
        except Plan.DoesNotExist as exc:
            raise CommandError(_("没有 %(year)s 年的方案") % {"year": year}) from exc
        except Plan.MultipleObjectsReturned as exc:
            raise CommandError(_("%(year)s 年有多个方案，请用 --document 指定文号") % {"year": year}) from exc
        audit_record(action=AuditAction.EXPORT, obj=plan, detail={"what": "plan", "format": "json"})
        self.stdout.write(json.dumps(plan_export(plan=plan), ensure_ascii=False, indent=2))
