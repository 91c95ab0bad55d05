from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects.audit.actions import AuditAction
from projects.audit.commands import AuditedCommand
from projects.audit.models import AuditResult
from projects.audit.selectors import audit_verify
from projects.audit.services import audit_record


class Command(AuditedCommand):
    help = (
        "Check the audit trail's hash chain from its first kept record to its head; name the first "
        "record that was changed or removed outside the application. Exit status 1 when broken."
    )

    def handle(self, *args, **options):
        result = audit_verify()
        detail = {"checked": result.checked, "first_seq": result.first_seq, "last_seq": result.last_seq}
        if result.broken is None:
            audit_record(action=AuditAction.AUDIT_VERIFY, detail=detail)
            if result.checked == 0:
                self.stdout.write(_("审计日志为空，没有需要校验的记录"))
                return
            self.stdout.write(
                _("审计日志校验通过：%(n)s 条记录（序号 %(first)s–%(last)s）未被篡改，链头哈希 %(hash)s")
                % {"n": result.checked, "first": result.first_seq, "last": result.last_seq, "hash": result.last_hash}
            )
            return
        broken = result.broken
        audit_record(
            action=AuditAction.AUDIT_VERIFY,
            result=AuditResult.FAILURE,
            detail={**detail, "broken_seq": broken.seq, "broken_id": broken.record_id, "reason": broken.reason},
        )
        raise CommandError(
            _("审计日志校验失败：第 %(seq)s 号记录（id %(id)s）：%(reason)s。此前 %(n)s 条记录完好。")
            % {"seq": broken.seq, "id": broken.record_id or "-", "reason": broken.reason, "n": result.checked}
        )
