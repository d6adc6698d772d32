"""python manage.py trackunit_api METHOD PATH [--data JSON] [--all-pages] [--aemp]: like `gh api`."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from sync.trackunit import console
from sync.trackunit.client import TrackunitClient
from sync.trackunit.errors import TrackunitError


class Command(BaseCommand):
    help = (
        "Call Trackunit through RentalBridge's client (auth, rate limits, retries) and print the answer. "
        "PATH is relative to TRACKUNIT_API_URL (e.g. /customer/v1/customers); /Fleet/... is the ISO export."
    )

    def add_arguments(self, parser):
        parser.add_argument("method", help="GET, POST, PATCH, PUT or DELETE")
        parser.add_argument("path", help="e.g. /asset/v1/assets or /Fleet/1")
        parser.add_argument("--data", help="request body as JSON")
        parser.add_argument(
            "--all-pages", action="store_true", help="walk a page-based list, print all items"
        )
        parser.add_argument("--aemp", action="store_true", help="PATH is under TRACKUNIT_AEMP_URL")

    def handle(self, *args, method, path, data, all_pages, aemp, **options):
        try:
            body = json.loads(data) if data else None
        except ValueError as exc:
            raise CommandError(f"--data is not valid JSON: {exc}") from exc
        client = TrackunitClient.from_settings()
        try:
            answer = console.call(client, method, path, data=body, all_pages=all_pages, aemp=aemp)
        except TrackunitError as error:
            self.stderr.write(json.dumps(error.error_object(), indent=2, default=str))
            sys.exit(1)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            client.close()
        if answer is not None:
            self.stdout.write(answer if isinstance(answer, str) else json.dumps(answer, indent=2))
