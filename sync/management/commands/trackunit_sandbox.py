"""`python manage.py trackunit_sandbox`: a local, strict stand-in for Trackunit Iris over real HTTP.

Point RentalBridge at it with
  TRACKUNIT_API_URL=http://127.0.0.1:8765/api
  TRACKUNIT_AUTH_URL=http://127.0.0.1:8765
  TRACKUNIT_AEMP_URL=http://127.0.0.1:8765/public/api/aemp/v2/15143/-3
v2 API-key scopes: api (everything), assets, sites, customers, rental, custom-fields, aemp.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sync.sandbox import config as defaults
from sync.sandbox.config import ApiKey, SandboxConfig
from sync.sandbox.faults import FaultSettings
from sync.sandbox.server import serve


class Command(BaseCommand):
    help = "Runs the Trackunit Iris sandbox (auth, REST APIs and ISO 15143-3 export on one port)."
    # Standalone by design: the sandbox must start even while the app's models are half-migrated.
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        add = parser.add_argument
        add("--host", default="127.0.0.1", help="interface to bind (default loopback only)")
        add("--port", type=int, default=8765, help="0 picks a free port")
        add("--client-id", default=defaults.DEFAULT_CLIENT_ID, help="v1 OAuth client id")
        add("--client-secret", default=defaults.DEFAULT_CLIENT_SECRET, help="v1 OAuth client secret")
        add("--username", default=defaults.DEFAULT_USERNAME, help="v1 API user")
        add("--password", default=defaults.DEFAULT_PASSWORD, help="v1 API user's password")
        add(
            "--api-key",
            action="append",
            metavar="ID:SECRET:SCOPES",
            help=f"v2 key, repeatable; scopes comma/space separated (default: {defaults.DEFAULT_API_KEY})",
        )
        add("--token-lifetime-v1", type=int, default=3600, help="seconds a v1 token lives")
        add("--token-lifetime-v2", type=int, default=1200, help="seconds a v2 token lives")
        add("--token-lifetime", type=int, help="seconds for both flows (overrides the two above)")
        add(
            "--account-id",
            default=defaults.DEFAULT_ACCOUNT_ID,
            help="the account the credentials belong to: the ownerAccountId of owned assets",
        )
        add("--assets", type=int, default=500, help="owned assets in the seeded fleet")
        add("--foreign-assets", type=int, default=20, help="visible assets another account owns")
        add(
            "--demo-fleet",
            action="store_true",
            help="seed the demo company's machines (the ones `seed_demo` creates) as the first owned assets",
        )
        add("--seed", type=int, default=1, help="seeds the fleet and the fault generator")
        add(
            "--state-file",
            type=Path,
            help="load state from this JSON file if it exists; save to it on change",
        )
        add(
            "--aemp-url-window",
            type=float,
            default=900.0,
            help="ISO export: seconds between free requests per URL",
        )
        add(
            "--aemp-url-pool", type=int, default=50, help="ISO export: extra requests per URL inside a window"
        )
        add("--aemp-fleet-per-s", type=int, default=50, help="ISO export: fleet page requests per second")
        add(
            "--aemp-equipment-per-s",
            type=int,
            default=500,
            help="ISO export: single-element requests per second",
        )
        add(
            "--rate-limit-per-s",
            type=int,
            default=20,
            help="REST API requests per second, all clients (0 = off)",
        )
        add("--faults", default="{}", help="start-up faults as JSON, e.g. '{\"error_rate\": 0.1}'")
        add(
            "--request-log-size",
            type=int,
            default=SandboxConfig.request_log_size,
            help="requests /_sandbox/requests keeps (the oldest are forgotten first)",
        )

    def handle(self, *args, **options) -> None:
        try:
            keys = [ApiKey.parse(text) for text in options["api_key"] or [defaults.DEFAULT_API_KEY]]
            faults = {"rate_limit_per_s": options["rate_limit_per_s"], "seed": options["seed"]}
            faults.update(json.loads(options["faults"]))
            FaultSettings().updated(faults)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        lifetime = options["token_lifetime"]
        serve(
            SandboxConfig(
                host=options["host"],
                port=options["port"],
                client_id=options["client_id"],
                client_secret=options["client_secret"],
                username=options["username"],
                password=options["password"],
                api_keys={key.key_id: key for key in keys},
                account_id=options["account_id"],
                token_lifetime_v1=lifetime or options["token_lifetime_v1"],
                token_lifetime_v2=lifetime or options["token_lifetime_v2"],
                assets=options["assets"],
                foreign_assets=options["foreign_assets"],
                demo_fleet=options["demo_fleet"],
                seed=options["seed"],
                state_file=options["state_file"],
                faults=faults,
                aemp_url_window_s=options["aemp_url_window"],
                aemp_url_pool=options["aemp_url_pool"],
                aemp_fleet_per_s=options["aemp_fleet_per_s"],
                aemp_equipment_per_s=options["aemp_equipment_per_s"],
                request_log_size=options["request_log_size"],
            )
        )
