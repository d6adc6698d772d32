import json

from django.core.management.base import BaseCommand

from sync.kinds import BY_NAME
from sync.plan import make_plan, plan_as_json


class Command(BaseCommand):
    help = "Plan a sync (dry run): list every create/update/delete with its field diff; sends nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print the plan machine-readably")
        parser.add_argument("--kind", action="append", choices=sorted(BY_NAME), help="only these kinds")

    def handle(self, *args, **options) -> None:
        run = make_plan(trigger="command", kinds=options["kind"])
        plan = plan_as_json(run)
        if options["json"]:
            self.stdout.write(json.dumps(plan, indent=2, default=str))
            return
        summary = plan["summary"]
        self.stdout.write(
            f"Plan #{run.pk}: {summary['create']} to create, {summary['update']} to update, "
            f"{summary['delete']} to delete, {summary['unchanged']} unchanged."
        )
        for op in plan["operations"]:
            self.stdout.write(f"  {op['action']:<6} {op['entity']} {op['key']}")
            for field, (before, after) in op["fields"].items():
                self.stdout.write(
                    f"{'':11}{field}: {json.dumps(before, default=str)} -> {json.dumps(after, default=str)}"
                )
        self.stdout.write(f"Apply it with: python manage.py sync_apply {run.pk}")
