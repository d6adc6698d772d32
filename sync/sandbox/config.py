"""Everything the sandbox is started with, gathered from the command line into one object."""

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CLIENT_ID = "rentalbridge-sandbox"
DEFAULT_CLIENT_SECRET = "sandbox-secret"
DEFAULT_USERNAME = "api-user@sandbox.local"
DEFAULT_PASSWORD = "sandbox-password"
DEFAULT_API_KEY = "sandbox-key:sandbox-key-secret:api rental customers custom-fields assets sites aemp"
# The customer account the credentials belong to: owned assets carry it as their ownerAccountId.
DEFAULT_ACCOUNT_ID = "5a4d6b1e-0c3f-4e2a-9b7d-3f1e2c4a5b60"


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    secret: str
    scopes: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> "ApiKey":
        """`ID:SECRET:SCOPES`, scopes comma- or space-separated."""
        key_id, sep1, rest = text.partition(":")
        secret, sep2, scopes = rest.partition(":")
        parsed = frozenset(s for s in scopes.replace(",", " ").split() if s)
        if not (sep1 and sep2 and key_id and secret and parsed):
            raise ValueError(f"an API key is ID:SECRET:SCOPES, got {text!r}")
        return cls(key_id, secret, parsed)


@dataclass(frozen=True)
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    api_keys: dict[str, ApiKey] = field(
        default_factory=lambda: {"sandbox-key": ApiKey.parse(DEFAULT_API_KEY)}
    )
    account_id: str = DEFAULT_ACCOUNT_ID
    token_lifetime_v1: int = 3600
    token_lifetime_v2: int = 1200
    assets: int = 500
    foreign_assets: int = 20
    # Seed the demo company's machines (rentalbridge.demo.machines) as the first owned assets.
    demo_fleet: bool = False
    seed: int = 1
    state_file: Path | None = None
    faults: dict = field(default_factory=dict)
    aemp_url_window_s: float = 900.0
    aemp_url_pool: int = 50
    aemp_fleet_per_s: int = 50
    aemp_equipment_per_s: int = 500
    request_log_size: int = 5000
