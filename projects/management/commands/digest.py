from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects import clock
from projects.audit.commands import AuditedCommand
from projects.services.notifications import deliveries_send_due
from projects.services.summaries import digests_send


class Command(AuditedCommand):
    help = (
        "Write each leader's weekly digest (每周摘要) of the week of a date, in the inbox and by e-mail, with "
        "the same code as the Monday job; once a week per leader, however often it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: the clock's today)")
        parser.add_argument("--no-send", action="store_true", help="record the messages and e-mails, send nothing now")

    def handle(self, *args, as_of: str | None, no_send: bool, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else clock.today()
        except ValueError as exc:
            raise CommandError(_("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": as_of}) from exc
        created = digests_send(as_of=day)
        sent = {} if no_send else deliveries_send_due()
        self.stdout.write(
            _("每周摘要（截至 %(day)s）：新建发送记录 %(n)s 条，已发送 %(sent)s 条。")
            % {"day": day.isoformat(), "n": len(created), "sent": sent.get("sent", 0)}
        )
