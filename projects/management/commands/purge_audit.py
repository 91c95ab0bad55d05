import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.audit.commands import AuditedCommand
from projects.audit.services import audit_purge
from projects.models import User


class Command(AuditedCommand):
    help = (
        "Delete audit records older than the retention period (AUDIT_RETENTION_DAYS, at least 180), "
        "as an account holding the purge_auditrecord permission; the purge itself is recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="the audit administrator's username")
        parser.add_argument("--before", help="YYYY-MM-DD: purge records older than this day (default: the limit)")

    def handle(self, *args, user: str, before: str | None = None, **options):
        try:
            actor = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(_("没有启用的用户 %(user)s") % {"user": user}) from exc
        day = None
        if before:
            try:
                day = timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(before), dt.time.min))
            except ValueError as exc:
                raise CommandError(_("日期格式应为 YYYY-MM-DD")) from exc
        try:
            result = audit_purge(actor=actor, before=day)
        except PermissionDenied as exc:
            raise CommandError(_("用户 %(user)s 没有清理审计记录的权限") % {"user": user}) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            _("已清理 %(n)s 条 %(before)s 之前的审计记录；清理本身已记为第 %(seq)s 号记录")
            % {
                "n": result.deleted,
                "before": timezone.localtime(result.before).strftime("%Y-%m-%d %H:%M"),
                "seq": result.record.seq,
            }
        )
