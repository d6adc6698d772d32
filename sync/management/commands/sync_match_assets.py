from django.core.management.base import BaseCommand

from sync.service import match_assets


class Command(BaseCommand):
    help = (
        "Read Trackunit's asset list and match it to local assets; report assets another account owns "
        "(never written to), assets no local record matches and ambiguous matches."
    )

    def handle(self, *args, **options) -> None:
        report = match_assets(trigger="command")
        self.stdout.write(str(report))
        for name in report.foreign:
            self.stdout.write(f"  foreign, not written to: {name}")
        self.stdout.write("Details: admin, Sync > Trackunit assets.")
