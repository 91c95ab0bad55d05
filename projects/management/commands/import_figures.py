from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects.audit.commands import AuditedCommand
from projects.calendar import parse_month
from projects.models import Unit
from projects.selectors.catalogue import PlanChoiceError, plan_choose
from projects.services.excel import ImportRejected, figures_import


class Command(AuditedCommand):
    help = (
        "Import a unit's filled month template (.xlsx), all or nothing; every problem is printed "
        "with its row. Runs on the server, on the unit's behalf."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--unit", required=True, help="the unit's name, e.g. 湖滨区政府")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument(
            "--document", help="the plan (文号) whose rows the file holds, when the unit reports in several that month"
        )
        parser.add_argument("--submit", action="store_true", help="submit the figures for review (default: drafts)")

    def handle(self, *args, file: str, unit: str, month: str, submit: bool, document: str | None = None, **options):
        try:
            the_month = parse_month(month)
        except ValueError as exc:
            raise CommandError(_("月份格式应为 YYYY-MM，如 2022-06")) from exc
        try:
            the_unit = Unit.objects.get(name=unit)
        except Unit.DoesNotExist as exc:
            raise CommandError(_("没有名为“%(unit)s”的单位") % {"unit": unit}) from exc
        try:
            plan = plan_choose(month=the_month, unit=the_unit, document=document)
        except PlanChoiceError as exc:
            raise CommandError(str(exc)) from exc
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件 %(file)s") % {"file": file})
        try:
            result = figures_import(
                actor=None, unit=the_unit, month=the_month, data=path.read_bytes(), submit=submit, plan=plan
            )
        except ImportRejected as exc:
            for error in exc.rows:
                self.stderr.write(
                    _("第 %(row)s 行 %(indicator)s：%(message)s")
                    % {"row": error.row, "indicator": error.indicator, "message": error.message}
                )
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("已导入 %(n)s 项（%(how)s），%(same)s 行无变化")
            % {"n": len(result.saved), "how": _("已提交") if submit else _("草稿"), "same": result.unchanged}
        )
        for label in result.saved:
            self.stdout.write(f"  {label}")
