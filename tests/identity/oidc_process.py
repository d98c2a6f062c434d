"""Start and stop the test OpenID Connect provider in its own process."""

import json
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.identity.saml_idp import free_port

ROOT = Path(__file__).resolve().parents[2]


class OidcProviderProcess:
    client_id = "strategiportalen"
    client_secret = "test-secret"

    def __init__(self, directory: Path):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.discovery_url = f"{self.issuer}/.well-known/openid-configuration"
        self.state_path = directory / "state.json"
        self.users: dict[str, dict] = {}
        self.misbehave: str | None = None
        self.id_token_lifetime = 600
        self.write()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.identity.oidc_provider",
                "--port",
                str(self.port),
                "--state",
                str(self.state_path),
            ],
            cwd=ROOT,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(self.discovery_url, timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("The test OpenID Connect provider did not start")
            time.sleep(0.1)

    def write(self) -> None:
        """Hand the provider the users and behaviour the test has set."""
        self.state_path.write_text(
            json.dumps(
                {
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "users": self.users,
                    "misbehave": self.misbehave,
                    "id_token_lifetime": self.id_token_lifetime,
                }
            )
        )

    def logouts(self) -> list[str]:
        path = self.state_path.parent / "logouts.txt"
        return path.read_text().splitlines() if path.exists() else []

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
