"""Throughput under gunicorn and wrk: the portal's mix of main pages, and in the
same run a bare Django page (devtools/reference.py) as the reference the
portal's figure is a share of."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from django.conf import settings
from django.db import connection
from django.test import Client

from core.database import database_url

BASE_DIR = Path(settings.BASE_DIR)

# Each request is the next page of the mix with its user's session; any answer
# but 200 (a redirect to the login page too) is counted as an error.
WRK_SCRIPT = """
local paths = {%s}
local cookies = {%s}
local i = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Cookie"] = "sessionid=" .. cookies[i]})
end
function response(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("not_ok") end
  io.write(string.format("Not 200: %%d\\n", total))
end
"""


# Seconds of load before each measured run, not counted: every gunicorn worker has
# then answered its first requests (templates compiled, translations and URL
# patterns loaded), which on a busy machine can take longer than wrk's 2 s timeout.
WARM_UP = 3


def measure_throughput(
    *, mix: list[tuple], duration: int, connections: int, workers: int, port: int, page_duration: int = 0
) -> dict:
    """Requests per second for a mix of authenticated pages ((name, user, path), each
    page with its user's session), gunicorn and wrk on this machine; then, for
    `page_duration` seconds each, every page of the mix on its own. Each figure
    also as its share of the reference's (a bare Django page, same settings)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    if connection.vendor != "postgresql":
        return {"skipped": "the load test runs against PostgreSQL"}
    sessions = {}
    for user in {u.pk: u for _n, u, _p in mix}.values():
        client = Client()
        client.force_login(user)
        sessions[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value
    static_root = Path(tempfile.mkdtemp(prefix="portal-static-"))
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "false",
        # The sessions made here must be valid there.
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on the loopback: no redirect to HTTPS.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DATABASE_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True
    )
    try:
        with _gunicorn("config.wsgi", ready="/healthz", workers=workers, port=port, env=env):
            load = {
                "port": port,
                "paths": [path for _n, _u, path in mix],
                "cookies": [sessions[u.pk] for _n, u, _p in mix],
                "connections": connections,
                "script_dir": static_root,  # removed with the static files below; the script holds session cookies
            }
            _wrk(**load, duration=WARM_UP)
            output = _wrk(**load, duration=duration)
            by_page = {}
            if page_duration:
                for name, user, path in mix:
                    alone = _wrk(
                        port=port,
                        paths=[path],
                        cookies=[sessions[user.pk]],
                        duration=page_duration,
                        connections=connections,
                        script_dir=static_root,
                    )
                    by_page[name] = parse_wrk(alone)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    figures = parse_wrk(output)
    reference = measure_reference(duration=duration, connections=connections, workers=workers, port=port)

    def share(rate: float) -> float | None:
        return round(rate / reference["requests_per_second"], 2) if reference.get("requests_per_second") else None

    return figures | {
        "pages": len(mix),
        "by_page": {
            name: {
                "requests_per_second": page["requests_per_second"],
                "errors": page["errors"],
                "ratio_to_reference": share(page["requests_per_second"]),
            }
            for name, page in by_page.items()
        },
        "gunicorn_workers": workers,
        "connections": connections,
        "seconds": duration,
        "reference": reference,
        "ratio_to_reference": share(figures["requests_per_second"]),
    }


@contextmanager
def _gunicorn(app: str, *, ready: str, workers: int, port: int, env: dict):
    """gunicorn serving `app` on the loopback until the block ends, once `ready` answers."""
    bind = f"127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "--workers", str(workers), "--bind", bind, "--log-level", "warning"],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}{ready}")
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _wrk(*, port: int, paths: list[str], cookies: list[str], duration: int, connections: int, script_dir: Path) -> str:
    """wrk's report of a load of `paths` in turn, each with its session cookie."""
    script = script_dir / "mix.lua"
    script.write_text(WRK_SCRIPT % (", ".join(f'"{p}"' for p in paths), ", ".join(f'"{c}"' for c in cookies)))
    return subprocess.run(
        [
            shutil.which("wrk"),
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def measure_reference(*, duration: int, connections: int, workers: int, port: int) -> dict:
    """Requests per second of a bare Django page (devtools/reference.py) under the
    same gunicorn and wrk settings, in a database of its own beside the portal's."""
    url = urlsplit(database_url())
    reference_url = url._replace(path=f"{url.path}_reference").geturl()
    name = url.path.lstrip("/") + "_reference"
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "REFERENCE_DATABASE_URL": reference_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    session = subprocess.run(
        [sys.executable, "-m", "devtools.reference", "setup"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    script_dir = Path(tempfile.mkdtemp(prefix="portal-reference-"))
    try:
        with _gunicorn("devtools.reference:application", ready="/up", workers=workers, port=port, env=env):
            load = {"port": port, "paths": ["/"], "cookies": [session], "connections": connections}
            _wrk(**load, duration=WARM_UP, script_dir=script_dir)
            output = _wrk(**load, duration=duration, script_dir=script_dir)
    finally:
        shutil.rmtree(script_dir, ignore_errors=True)
    return parse_wrk(output)


def parse_wrk(output: str) -> dict:
    def number(pattern, default=0.0):
        found = re.search(pattern, output)
        return float(found.group(1)) if found else default

    errors = int(number(r"Not 200: (\d+)"))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket:
        errors += sum(int(g) for g in socket.groups())
    latency = {}
    for label in ("50%", "90%", "99%"):
        found = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output)
        if found:
            value, unit = float(found.group(1)), found.group(2)
            latency[label] = round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 1)
    return {
        "requests_per_second": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": int(number(r"(\d+) requests in")),
        "errors": errors,
        "latency_ms": latency,
    }


def _wait_for(url: str, timeout: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a local URL we started
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")
