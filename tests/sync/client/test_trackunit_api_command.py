"""`manage.py trackunit_api` as an operator runs it: a real process, JSON out, non-zero exit on errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_command(sandbox, prefix, *args):
    env = {
        **os.environ,
        "TRACKUNIT_API_URL": sandbox.api_url,
        "TRACKUNIT_AUTH_URL": sandbox.auth_url,
        "TRACKUNIT_AEMP_URL": sandbox.aemp_url,
        "TRACKUNIT_AUTH_FLOW": "password",
        "TRACKUNIT_CLIENT_ID": sandbox.client_id,
        "TRACKUNIT_CLIENT_SECRET": sandbox.client_secret,
        "TRACKUNIT_USERNAME": sandbox.username,
        "TRACKUNIT_PASSWORD": sandbox.password,
        "TRACKUNIT_SCOPES": "api",
        "TRACKUNIT_REDIS_PREFIX": prefix,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "trackunit_api", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def error_object(stderr: str) -> dict:
    """The error object the command prints (indented, from a line holding only "{"); log lines may
    precede it on stderr."""
    lines = stderr.splitlines()
    return json.loads("\n".join(lines[lines.index("{") :]))


def test_prints_the_json_answer_and_walks_all_pages(sandbox, prefix):
    created = run_command(
        sandbox, prefix, "POST", "/customer/v1/customers", "--data", '{"name": "CLI Ltd", "type": "RENTAL"}'
    )
    assert created.returncode == 0, created.stderr
    customer = json.loads(created.stdout)
    assert customer["name"] == "CLI Ltd"

    listed = run_command(sandbox, prefix, "GET", "/asset/v1/assets", "--all-pages")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == len(sandbox.state()["assets"])
    assert sandbox.client_secret not in created.stdout + created.stderr + listed.stderr


def test_errors_print_trackunits_error_object_and_exit_non_zero(sandbox, prefix):
    missing = run_command(sandbox, prefix, "GET", "/customer/v1/customers/no-such-id")
    assert missing.returncode == 1
    assert missing.stdout == ""
    error = error_object(missing.stderr)
    assert error["status"] == 404
    assert error["code"] == "customer_not_found"
    invalid = run_command(sandbox, prefix, "POST", "/customer/v1/customers", "--data", '{"name": ""}')
    assert invalid.returncode == 1
    assert error_object(invalid.stderr)["code"] == "constraint_violation"
