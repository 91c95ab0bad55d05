from django.core.management.base import BaseCommand

from projects.services.notifications import deliveries_send_due


class Command(BaseCommand):
    help = "Send the pending e-mails and robot messages that are due (what the deliver_pending job does)."

    def handle(self, *args, **options):
        counts = deliveries_send_due()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing due")
