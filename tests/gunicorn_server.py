"""The portal as production runs it, for tests: a redis-server of its own and
gunicorn with several workers against the test database, started as processes,
and a small HTTP client that knows which worker answered each request."""

from __future__ import annotations

import http.client
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {seconds} s")
        time.sleep(0.05)


# --- Redis ------------------------------------------------------------------------


class RedisServer:
    """`redis-server` on a free port, without persistence; `stop()` kills it."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, seconds=10, what=f"redis-server on port {self.port} answering")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def keys(self, url: str) -> list[str]:
        """The keys in the database of `url`, a URL of this server."""
        db = urlsplit(url).path.strip("/") or "0"
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), "-n", db, "--scan"], capture_output=True, text=True, check=True
        )
        return result.stdout.split()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def compose_cache_url(redis: RedisServer) -> str:
    """The CACHE_URL docker-compose.yml gives the portal, pointed at `redis`
    (same database number); empty when the compose file sets none."""
    environment = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-portal"]["environment"]
    url = environment.get("CACHE_URL", "")
    if not url:
        return ""
    parts = urlsplit(url)
    return parts._replace(netloc=f"127.0.0.1:{redis.port}").geturl()


# --- gunicorn ---------------------------------------------------------------------


def collect_static(directory: Path, env: dict) -> None:
    """The manifest production's static storage needs to render any page."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**env, "DJANGO_STATIC_ROOT": str(directory)},
        check=True,
        timeout=300,
    )


class Gunicorn:
    """`gunicorn config.wsgi` with `workers` sync workers. Each request the
    client sends carries an id that the access log writes beside the pid of the
    worker that answered it."""

    def __init__(self, *, env: dict, workers: int, log_dir: Path):
        self.port = free_port()
        self.workers = workers
        self.access_log = log_dir / f"access-{self.port}.log"
        self.error_log = log_dir / f"error-{self.port}.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
                "--access-logfile",
                str(self.access_log),
                "--access-logformat",
                "%(p)s %({x-test-request}i)s %(s)s",
                "--error-logfile",
                str(self.error_log),
            ],
            cwd=ROOT,
            env=env,
        )
        wait_until(self._ready, seconds=60, what="gunicorn answering /healthz")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{self.error_log.read_text()}")
        try:
            return Client(self).get("/healthz").status in {200, 503}
        except OSError:
            return False

    def pid_of(self, request_id: str) -> int:
        """The pid of the worker that answered the request (its access log line
        is written just after the response)."""
        pattern = re.compile(rf"^<(\d+)> {re.escape(request_id)} ", re.MULTILINE)
        found = None

        def logged() -> bool:
            nonlocal found
            found = pattern.search(self.access_log.read_text()) if self.access_log.exists() else None
            return found is not None

        wait_until(logged, seconds=10, what=f"request {request_id} in the access log")
        return int(found.group(1))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    request_id: str
    set_cookies: dict[str, str] = field(default_factory=dict)

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Client:
    """A browser's cookies over plain http.client: one connection per request,
    redirects not followed."""

    def __init__(self, server: Gunicorn, cookies: dict[str, str] | None = None):
        self.server = server
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, *, body: bytes = b"", headers: dict | None = None) -> Response:
        request_id = uuid.uuid4().hex
        all_headers = {"X-Test-Request": request_id, "Connection": "close", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            connection.request(method, path, body=body or None, headers=all_headers)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", "replace")
        finally:
            connection.close()
        set_cookies = {}
        for header, value in answer.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                set_cookies[name] = rest.split(";", 1)[0]
        for name, value in set_cookies.items():
            if value in {"", '""'}:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        headers_ = {k.lower(): v for k, v in answer.getheaders()}
        return Response(answer.status, headers_, text, request_id, set_cookies)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def csrf_token(self, path: str) -> str:
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)

    def post(self, path: str, data: dict, *, token_from: str | None = None) -> Response:
        data = {"csrfmiddlewaretoken": self.csrf_token(token_from or path), **data}
        return self.request(
            "POST",
            path,
            body=urlencode(data).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def post_file(self, path: str, *, name: str, filename: str, content: bytes) -> Response:
        token = self.csrf_token(path)
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.request(
            "POST", path, body=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )

    def log_in(self, email: str, password: str) -> Response:
        answer = self.post("/login/", {"username": email, "password": password})
        assert answer.status == 302, f"log-in answered {answer.status}"
        return answer


def answers_from_every_worker(
    server: Gunicorn, send: Callable[[], Response], *, batches: int = 60, parallel: int = 6
) -> dict[int, list[Response]]:
    """Send `send()` in parallel batches until every worker has answered at
    least once; the answers by worker pid. Fails if some worker never answered."""
    by_worker: dict[int, list[Response]] = {}
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        for _ in range(batches):
            for answer in pool.map(lambda _i: send(), range(parallel)):
                by_worker.setdefault(server.pid_of(answer.request_id), []).append(answer)
            if len(by_worker) >= server.workers:
                return by_worker
    pytest.fail(f"only {len(by_worker)} of {server.workers} workers answered")


# --- Users -------------------------------------------------------------------------


def with_real_password_hash(user) -> None:
    """Give `user` the test password hashed by PBKDF2, a hasher the started
    processes know (the tests' own MD5 is set in this process only), with few
    iterations so that logging in is fast."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

    from tests.factories import PASSWORD

    class FewIterations(PBKDF2PasswordHasher):
        iterations = 1_000

    user.password = make_password(PASSWORD, hasher=FewIterations())
    user.save(update_fields=["password"])
