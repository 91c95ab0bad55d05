import time

from django.core.management import call_command
from django.core.management.base import CommandError

from projects.audit.commands import AuditedCommand
from projects.models import Assignment, CityProgress, Indicator, Plan, PlanKind, Submission, UnitProgress
from projects.selectors.catalogue import plan_choose
from projects.services.load_generation import SCALES, city_portfolio_add, generate_province, plan_people_create


class Command(AuditedCommand):
    help = (
        "Fill an empty database with benchmark data, deterministically: every city holds a portfolio, several "
        "plans of different kinds a year. S is the real 2022 plan with 12 months of demo figures beside a work "
        "report and special measures of the same city; M a province (18 cities, 2022-2024, three plans a city "
        "and year, about 5,100 indicators); L ten times M; T two small cities (the benchmark runner's smoke test)."
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
            # so the real plan's figures are the same whatever --seed says.
            call_command("seed_demo", "--as-of", "2023-01-05", stdout=self.stdout)
            plan = plan_choose(year=2022, default_kind=PlanKind.LIVELIHOOD)
            city_portfolio_add(plan=plan, seed=seed)
            plan_people_create(plan=plan)
        else:
            generate_province(scale=SCALES[scale], seed=seed)
        self.stdout.write(
            f"plans {Plan.objects.count()}, indicators {Indicator.objects.count()}, "
            f"assignments {Assignment.objects.count()}, submissions {Submission.objects.count()}, "
            f"progress rows {UnitProgress.objects.count() + CityProgress.objects.count()}"
        )
        self.stdout.write(f"scale {scale} generated in {time.monotonic() - started:.1f}s")
