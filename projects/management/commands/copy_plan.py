from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects.audit.commands import AuditedCommand
from projects.planfile import PlanFileError
from projects.selectors.catalogue import PlanChoiceError, plan_choose, unit_group_warnings
from projects.services.plans import plan_copy


class Command(AuditedCommand):
    help = (
        "Copy a plan into a new year (the structure, units, roles, reporting units and calendar; targets "
        "kept as proposals for the office to confirm; a stock indicator's final figure as its new "
        "baseline). The old plan is not changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--document", required=True, help="the document number (文号) of the plan to copy")
        parser.add_argument("--from-year", type=int, help="its year, when several years have that document")
        parser.add_argument("--year", type=int, required=True, help="the new plan's year")
        parser.add_argument("--new-document", required=True, help="the new plan's document number")
        parser.add_argument("--title", help="the new plan's title (default: the old one with the year replaced)")

    def handle(self, *args, document, from_year, year, new_document, title, **options):
        try:
            plan = plan_choose(year=from_year, document=document)
        except PlanChoiceError as exc:
            raise CommandError(str(exc)) from exc
        try:
            new = plan_copy(plan=plan, year=year, document=new_document, title=title)
        except PlanFileError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(_("未复制：%(n)s 处问题") % {"n": len(exc.problems)}) from exc
        unconfirmed = sum(
            1 for p in new.projects.all() for t in p.tasks.all() for i in t.indicators.all() if not i.target_confirmed
        )
        self.stdout.write(_("已复制 %(old)s → %(new)s") % {"old": plan, "new": new})
        self.stdout.write("  " + _("%(n)s 个指标的目标沿用上年，待督查室确认") % {"n": unconfirmed})
        for warning in unit_group_warnings(plan=new):
            self.stdout.write("  " + warning)
