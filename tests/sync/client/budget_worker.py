"""Runs in a separate OS process: a second worker drawing on the same Redis budget."""

import django


def run_calls(config, calls: int) -> int:
    django.setup()
    from sync.trackunit.client import TrackunitClient

    client = TrackunitClient(config)
    try:
        for _ in range(calls):
            client.request("GET", "/asset/v1/assets", params={"size": 1})
    finally:
        client.close()
    return calls
