from django.core.management.base import BaseCommand, CommandError

from sync.apply import PlanNotApplicable, apply_plan
from sync.models import RunStatus, SyncRun
from sync.plan import make_plan
from sync.service import wait_for


class Command(BaseCommand):
    help = "Apply a reviewed plan through Celery (without PLAN_ID: plan afresh, then apply that plan)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("plan_id", nargs="?", type=int, help="the SyncRun id `sync_plan` printed")
        parser.add_argument("--wait", action="store_true", help="block until done; exit 1 if anything failed")
        parser.add_argument("--timeout", type=float, default=3600, help="seconds --wait waits at most")

    def handle(self, *args, plan_id: int | None, wait: bool, timeout: float, **options) -> None:
        if plan_id is None:
            run = make_plan(trigger="command")
        else:
            found = SyncRun.objects.filter(pk=plan_id).first()
            if found is None:
                raise CommandError(f"There is no plan #{plan_id}.")
            run = found
        try:
            run = apply_plan(run)
        except PlanNotApplicable as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Applying plan #{run.pk} ({run.operations.count()} operations).")
        if not wait:
            return
        run = wait_for(run, timeout=timeout)
        self.stdout.write(f"Run #{run.pk}: {run.get_status_display()}. {run.message}".strip())
        if run.status != RunStatus.SUCCEEDED:
            failures = run.operations.exclude(error_message="").values_list("kind", "key", "error_message")[
                :20
            ]
            for kind, key, message in failures:
                self.stderr.write(f"  {kind} {key}: {message}")
            raise CommandError(f"Run #{run.pk} did not succeed: {run.get_status_display()}.")
