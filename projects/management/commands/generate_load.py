import time

from django.core.management import call_command
from django.core.management.base import CommandError

from projects.audit.commands import AuditedCommand
from projects.models import Plan
from projects.selectors.catalogue import plan_for_year
from projects.services.load_generation import SCALES, generate_province, plan_people_create


class Command(AuditedCommand):
    help = (
        "Fill an empty database with benchmark data, deterministically: S is the real 2022 plan with 12 months "
        "of demo figures; M a province (about 1,100 indicators x 8 units x 36 months); L ten times M; T two small "
        "cities (the benchmark runner's smoke test)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["S", "T", "M", "L"], required=True)
        parser.add_argument("--seed", type=int, default=2022)

    def handle(self, *args, scale: str, seed: int, **options):
        if Plan.objects.exists():
            raise CommandError("generate_load needs an empty database (its plans would mix with the data there)")
        started = time.monotonic()
        if scale == "S":
            call_command("load_plan", "fixtures/plan_2022.json", stdout=self.stdout)
            # The demo figures are seeded by each indicator's code and unit's name (services/demo.py),
            # so S is the same data whatever --seed says.
            call_command("seed_demo", "--as-of", "2023-01-05", stdout=self.stdout)
            plan_people_create(plan=plan_for_year(year=2022))
        else:
            counts = generate_province(scale=SCALES[scale], seed=seed)
            self.stdout.write(
                f"plans {counts.plans}, indicators {counts.indicators}, assignments {counts.assignments}, "
                f"submissions {counts.submissions}, progress rows {counts.progress_rows}"
            )
        self.stdout.write(f"scale {scale} generated in {time.monotonic() - started:.1f}s")
