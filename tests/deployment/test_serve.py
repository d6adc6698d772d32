"""`make serve`'s web process as production runs it: gunicorn started from the Procfile, static files served
by WhiteNoise under hashed names with a far-future cache header, after collectstatic."""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import django
import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
# Behind the TLS-terminating proxy production runs behind: the request came in over HTTPS.
PROXIED = {"X-Forwarded-Proto": "https"}
TEN_YEARS_S = 315360000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {
        **os.environ,
        "RENTALBRIDGE_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_BEHIND_PROXY": "true",
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
        "WEB_BIND": "127.0.0.1",
        "WEB_PORT": str(port),
        "WEB_WORKERS": "1",
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
    }
    collect = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True, timeout=180)
    (tmp / "empty.env").write_text("")
    command = [str(VENV_BIN / "honcho"), "-f", str(ROOT / "Procfile"), "-d", str(ROOT)]
    command += ["-e", str(tmp / "empty.env"), "start", "web"]
    log = (tmp / "honcho.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, tmp / "honcho.log")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def _wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            requests.get(f"{base}/admin/login/", headers=PROXIED, timeout=30)
            return
        except (requests.ConnectionError, requests.Timeout):  # the worker is still loading Django
            time.sleep(0.3)
    raise AssertionError(f"gunicorn did not answer within 90 s:\n{log.read_text()}")


def test_the_login_page_is_served_by_gunicorn(served):
    response = requests.get(f"{served}/admin/login/", headers=PROXIED, timeout=10)
    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert 'name="password"' in response.text
    assert response.headers["Server"].startswith("gunicorn")


def test_its_stylesheet_is_the_admin_css_under_a_hashed_name_cached_for_ten_years(served):
    page = requests.get(f"{served}/admin/login/", headers=PROXIED, timeout=10).text
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+\.css)"', page)
    (base_css,) = [href for href in stylesheets if "/admin/css/base." in href]
    assert re.fullmatch(r"/static/admin/css/base\.[0-9a-f]{12}\.css", base_css)

    response = requests.get(f"{served}{base_css}", headers=PROXIED, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/css")
    cache = response.headers["Cache-Control"]
    assert f"max-age={TEN_YEARS_S}" in cache
    assert "immutable" in cache
    # The very file Django's admin ships, only its references to other static files renamed (and quoted).
    source = Path(django.__file__).parent / "contrib/admin/static/admin/css/base.css"
    assert _references_plain(response.text) == _references_plain(source.read_text())


def _references_plain(css: str) -> str:
    unhashed = re.sub(r"\.[0-9a-f]{12}\.(css|svg|png|woff2?)", r".\1", css)
    return re.sub(r"""url\((["']?)([^)"']*)\1\)""", r"url(\2)", unhashed)


def test_stylesheets_go_compressed_to_browsers_that_accept_it(served):
    page = requests.get(f"{served}/admin/login/", headers=PROXIED, timeout=10).text
    href = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page).group(1)
    response = requests.get(f"{served}{href}", headers={**PROXIED, "Accept-Encoding": "gzip"}, timeout=10)
    assert response.headers["Content-Encoding"] == "gzip"
    assert "body" in response.text
