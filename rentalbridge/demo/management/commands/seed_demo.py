import os

from django.core.management.base import BaseCommand

from rentalbridge.demo.fleet import DEMO_USERS, seed_demo


class Command(BaseCommand):
    help = "Create a realistic demo fleet, customers, contracts and users (idempotent, never overwrites)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", "rentalbridge"),
            help="Password for the demo users created now (default: $DEMO_PASSWORD or 'rentalbridge').",
        )

    def handle(self, *args, password: str, **options) -> None:
        report = seed_demo(password=password)
        self.stdout.write(f"Demo data: created {report}.")
        self.stdout.write("Demo users: " + ", ".join(name for name, _ in DEMO_USERS))
