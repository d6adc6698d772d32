import json

from django.core.management.base import BaseCommand

from sync.drift import detect_drift


class Command(BaseCommand):
    help = "Read Trackunit and report records someone changed there since RentalBridge pushed them."

    def handle(self, *args, **options) -> None:
        drifts = detect_drift(trigger="command")
        for drift in drifts:
            self.stdout.write(f"{drift.kind} {drift.key}: {json.dumps(drift.fields, default=str)}")
        self.stdout.write(f"{len(drifts)} record(s) drifted. Resolve them in the admin under Sync > Drift.")
