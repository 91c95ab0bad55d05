
from projects.audit.commands import AuditedCommand
from projects.services.notifications import deliveries_send_due


class Command(AuditedCommand):
    help = "Send the pending e-mails and robot messages that are due (what the deliver_pending job does)."

    def handle(self, *args, **options):
        counts = deliveries_send_due()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing due")
