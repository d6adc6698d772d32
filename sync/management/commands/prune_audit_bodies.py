from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sync.audit_retention import blank_bodies_older_than


class Command(BaseCommand):
    help = "Blank request and response bodies of old audit rows; rows, digests and the chain are kept."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=settings.AUDIT_BODY_RETENTION_DAYS,
            help="Bodies of attempts older than this are blanked (default: AUDIT_BODY_RETENTION_DAYS).",
        )

    def handle(self, *args, older_than_days: int, **options) -> None:
        try:
            pruned = blank_bodies_older_than(older_than_days)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"bodies of {pruned} attempts older than {older_than_days} days blanked")
