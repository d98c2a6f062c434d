"""An OpenID Connect provider for the tests, run in its own process:

    python -m tests.identity.oidc_provider --port 8123 --state /tmp/op/state.json

Authorization code flow with a login form asking for a user name, id_tokens
signed RS256 with a key made at start (joserfc, Authlib's JOSE library),
discovery, JWKS and RP-initiated log-out. The test writes the state file
(client, users and their claims, and `misbehave`: "wrong_audience" or
"wrong_nonce" to issue a bad id_token) and the provider reads it at each
request; log-outs are appended to `logouts.txt` beside it.
"""

import argparse
import base64
import html
import json
import secrets
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from joserfc import jwt
from joserfc.jwk import RSAKey


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Provider:
    def __init__(self, port: int, state_path: Path):
        self.issuer = f"http://127.0.0.1:{port}"
        self.state_path = state_path
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-op", "use": "sig", "alg": "RS256"})
        self.codes: dict[str, dict] = {}

    def state(self) -> dict:
        return json.loads(self.state_path.read_text())

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        form = {}
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
        if path == "/.well-known/openid-configuration":
            return _json(start_response, self.discovery())
        if path == "/jwks":
            return _json(start_response, {"keys": [self.key.as_dict(private=False)]})
        if path == "/authorize" and environ["REQUEST_METHOD"] == "GET":
            return self.login_form(start_response, query)
        if path == "/authorize":
            return self.authorize(start_response, form)
        if path == "/token":
            return self.token(start_response, environ, form)
        if path == "/logout":
            with (self.state_path.parent / "logouts.txt").open("a") as log:
                log.write(query.get("id_token_hint", "-") + "\n")
            target = query.get("post_logout_redirect_uri")
            if target:
                start_response("302 Found", [("Location", target)])
                return [b""]
            return _page(start_response, "200 OK", "<h1>Utloggad</h1>")
        return _page(start_response, "404 Not Found", "<h1>Finns inte</h1>")

    def login_form(self, start_response, query):
        state = self.state()
        if query.get("client_id") != state["client_id"] or query.get("response_type") != "code":
            return _page(start_response, "400 Bad Request", "<h1>Fel klient</h1>")
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
            for k, v in query.items()
            if k in {"client_id", "redirect_uri", "state", "nonce", "scope"}
        )
        return _page(
            start_response,
            "200 OK",
            f'<h1>Test-OP</h1><form method="post" action="/authorize">{hidden}'
            '<label for="u">Användarnamn</label> <input id="u" name="username">'
            '<button type="submit">Logga in hos Test-OP</button></form>',
        )

    def authorize(self, start_response, form):
        state = self.state()
        if form.get("username") not in state["users"]:
            return _page(start_response, "403 Forbidden", "<h1>Okänd användare</h1>")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "username": form["username"],
            "nonce": form.get("nonce"),
            "redirect_uri": form["redirect_uri"],
        }
        location = form["redirect_uri"] + "?" + urlencode({"code": code, "state": form.get("state", "")})
        start_response("302 Found", [("Location", location)])
        return [b""]

    def token(self, start_response, environ, form):
        state = self.state()
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if auth.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        if (client_id, client_secret) != (state["client_id"], state["client_secret"]):
            return _json(start_response, {"error": "invalid_client"}, "401 Unauthorized")
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return _json(start_response, {"error": "invalid_grant"}, "400 Bad Request")
        now = int(time.time())
        claims = dict(state["users"][grant["username"]])
        claims.update(
            iss=self.issuer,
            aud=state["client_id"],
            iat=now,
            exp=now + int(state.get("id_token_lifetime", 600)),
            auth_time=now,
        )
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        misbehave = state.get("misbehave")
        if misbehave == "wrong_audience":
            # Issued to another client; the azp naming the portal must not make it pass.
            claims["aud"] = "another-client"
            claims["azp"] = state["client_id"]
        elif misbehave == "wrong_nonce":
            claims["nonce"] = "not-the-nonce-the-portal-sent"
        id_token = jwt.encode({"alg": "RS256", "kid": "test-op"}, claims, self.key)
        return _json(
            start_response,
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": int(state.get("id_token_lifetime", 600)),
                "id_token": id_token,
            },
        )


def _json(start_response, data, status="200 OK"):
    start_response(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
    return [json.dumps(data).encode()]


def _page(start_response, status, body):
    start_response(status, [("Content-Type", "text/html; charset=utf-8")])
    page = f'<!doctype html><html lang="sv"><head><title>Test-OP</title></head><body><main>{body}</main></body></html>'
    return [page.encode()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, required=True)
    args = parser.parse_args()
    server = make_server("127.0.0.1", args.port, Provider(args.port, args.state), _ThreadingServer, _QuietHandler)
    server.serve_forever()


if __name__ == "__main__":
    main()
