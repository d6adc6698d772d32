from django.core.management.base import BaseCommand, CommandError

from sync.models import TelematicsPull
from sync.telematics.pull import pull_fleet


class Command(BaseCommand):
    help = (
        "Pull Trackunit's ISO 15143-3 fleet snapshot into the assets now, in the foreground, and print what "
        "was fetched, matched, stored and skipped. (Celery beat runs the same pull daily.)"
    )

    def handle(self, *args, **options) -> None:
        pull = pull_fleet(trigger="command")
        self.stdout.write(
            f"Telematics pull #{pull.pk}: {pull.get_status_display()}. {pull.pages} page(s), "
            f"{pull.equipment} equipment: {pull.matched} matched, {pull.stored} new readings stored, "
            f"{pull.unchanged} unchanged, {pull.older} older than stored, {pull.flagged} flagged (hours went "
            f"down); skipped {pull.unmatched} unmatched, {pull.ambiguous} ambiguous, {pull.foreign} not ours."
        )
        if pull.message:
            self.stdout.write(pull.message)
        if pull.status == TelematicsPull.Status.FAILED:
            raise CommandError(f"Telematics pull #{pull.pk} failed.")
