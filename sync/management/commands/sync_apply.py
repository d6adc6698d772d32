import time

from django.core.management.base import BaseCommand, CommandError

from sync import workers
from sync.apply import PlanNotApplicable, apply_plan
from sync.models import RunStatus, SyncRun
from sync.plan import make_plan
from sync.service import wait_for

# How often --wait looks again whether a worker takes a run that is still queued.
CHECK_EVERY_S = 1.0


class Command(BaseCommand):
    help = "Apply a reviewed plan through Celery (without PLAN_ID: plan afresh, then apply that plan)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("plan_id", nargs="?", type=int, help="the SyncRun id `sync_plan` printed")
        parser.add_argument("--wait", action="store_true", help="block until done; exit 1 if anything failed")
        parser.add_argument("--timeout", type=float, default=3600, help="seconds --wait waits at most")
        parser.add_argument(
            "--no-worker-timeout",
            type=float,
            default=60,
            help="seconds --wait waits for a worker while none consumes the run's queue (then exits 1)",
        )

    def handle(
        self,
        *args,
        plan_id: int | None,
        wait: bool,
        timeout: float,
        no_worker_timeout: float,
        **options,
    ) -> None:
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
        run = self._wait(run, timeout=timeout, no_worker_timeout=no_worker_timeout)
        self.stdout.write(f"Run #{run.pk}: {run.get_status_display()}. {run.message}".strip())
        if run.status != RunStatus.SUCCEEDED:
            failures = run.operations.exclude(error_message="").values_list("kind", "key", "error_message")[
                :20
            ]
            for kind, key, message in failures:
                self.stderr.write(f"  {kind} {key}: {message}")
            raise CommandError(f"Run #{run.pk} did not succeed: {run.get_status_display()}.")

    def _wait(self, run: SyncRun, *, timeout: float, no_worker_timeout: float) -> SyncRun:
        """Wait up to `timeout` for the run to finish; while it sits queued with no worker on its queue,
        say so on stderr and give up after `no_worker_timeout` instead of waiting in silence."""
        deadline = time.monotonic() + timeout
        queue = workers.queue_of(workers.PUSH_TASK)
        unattended_since: float | None = None
        while True:
            run = wait_for(run, timeout=max(0.0, min(CHECK_EVERY_S, deadline - time.monotonic())))
            if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING) or time.monotonic() >= deadline:
                return run
            warning = workers.no_consumer_warning(queue) if run.status == RunStatus.QUEUED else ""
            if not warning:
                if unattended_since is not None:
                    self.stderr.write(f"A worker now consumes the '{queue}' queue.")
                unattended_since = None
            elif unattended_since is None:
                self.stderr.write(warning)
                unattended_since = time.monotonic()
            elif time.monotonic() - unattended_since >= no_worker_timeout:
                raise CommandError(
                    f"Run #{run.pk} is still queued: no worker consumed the '{queue}' queue for "
                    f"{no_worker_timeout:g} s. It stays queued and is pushed once a worker starts "
                    f"(`{workers.worker_command()}`)."
                )
