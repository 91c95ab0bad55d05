"""Write the monthly bulletin: ``manage.py bulletin 2022-06 --out bulletin.docx [--xlsx bulletin.xlsx]``."""

from pathlib import Path

from django.core.management.base import CommandError

from projects.audit.actions import AuditAction
from projects.audit.commands import AuditedCommand
from projects.audit.services import audit_record
from projects.calendar import parse_month
from projects.selectors.catalogue import PlanChoiceError, plan_choose
from projects.services.bulletin import bulletin_docx_build, bulletin_xlsx_build


class Command(AuditedCommand):
    help = "Write the monthly bulletin (通报) as a Word document and/or an Excel workbook."

    def add_arguments(self, parser):
        parser.add_argument("month", help="the month, YYYY-MM: figures as of its end")
        parser.add_argument("--out", type=Path, help="the Word document to write (.docx)")
        parser.add_argument("--xlsx", type=Path, help="the Excel workbook to write (.xlsx)")
        parser.add_argument("--document", help="the plan's document number, when several plans cover the month")

    def handle(self, *args, month: str, out: Path | None, xlsx: Path | None, document: str | None, **options):
        try:
            when = parse_month(month)
        except ValueError as exc:
            raise CommandError(f"月份应为 YYYY-MM，例如 2022-06，而不是 {month!r}") from exc
        if out is None and xlsx is None:
            raise CommandError("请用 --out 指定 Word 文件，或用 --xlsx 指定 Excel 文件")
        try:
            plan = plan_choose(month=when, document=document)
        except PlanChoiceError as exc:
            raise CommandError(str(exc)) from exc
        files = {"docx": str(out) if out else None, "xlsx": str(xlsx) if xlsx else None}
        audit_record(action=AuditAction.EXPORT, obj=plan, detail={"what": "bulletin", "month": when, **files})
        if out is not None:
            out.write_bytes(bulletin_docx_build(plan=plan, month=when))
            self.stdout.write(f"{out}")
        if xlsx is not None:
            xlsx.write_bytes(bulletin_xlsx_build(plan=plan, month=when))
            self.stdout.write(f"{xlsx}")
