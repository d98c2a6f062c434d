"""A SAML 2.0 identity provider for the tests: pysaml2's IdP server, signing
with xmlsec1 and a key made for the run, served over HTTP from a thread on a
free port.

It shows a login form asking for a user name (one of `users`), then a form
that posts the signed response to the portal, as a real provider does. Tests
that post responses themselves call `authn_response` with a request the
portal made.
"""

import html
import socket
import threading
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlparse
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import AUTHN_PASSWORD, NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT
from saml2.server import Server
from saml2.time_util import in_a_while

from tests.identity.keys import make_key_pair


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class SamlIdentityProvider:
    def __init__(self, directory: Path, sp_metadata, *, lifetime_seconds: int = 600, host: str = "127.0.0.1"):
        """`sp_metadata` is a callable returning the portal's metadata XML
        (read when the first request arrives, once the portal knows the IdP).
        `host` is the name it is reached by: the portal's own, in browser
        tests, so that the browser sends the portal's cookies with the post
        back as it does to a provider on https."""
        self.port = free_port()
        self.base = f"http://{host}:{self.port}"
        self.users: dict[str, dict[str, list[str]]] = {}
        self.session_not_on_or_after: int | None = None
        self.logged_out: list[str] = []
        self._sp_metadata = sp_metadata
        self._lifetime_seconds = lifetime_seconds
        self._key, self._cert = make_key_pair(directory, f"idp-{self.port}")
        self._rogue_key, self._rogue_cert = make_key_pair(directory, f"rogue-{self.port}")
        self._servers: dict[str, Server] = {}
        self._httpd = make_server("127.0.0.1", self.port, self._app, _ThreadingServer, _QuietHandler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def metadata_url(self) -> str:
        return f"{self.base}/metadata"

    def _config(self, *, key: Path, cert: Path, with_sp: bool) -> IdPConfig:
        config = {
            "entityid": self.metadata_url,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "service": {
                "idp": {
                    "name": "Test-IdP",
                    "endpoints": {
                        "single_sign_on_service": [(f"{self.base}/sso/redirect", BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(f"{self.base}/slo/redirect", BINDING_HTTP_REDIRECT)],
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"seconds": self._lifetime_seconds},
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                    "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                }
            },
            "key_file": str(key),
            "cert_file": str(cert),
        }
        if with_sp:
            config["metadata"] = {"inline": [self._sp_metadata()]}
        idp_config = IdPConfig()
        idp_config.load(config)
        return idp_config

    def server(self, *, rogue: bool = False) -> Server:
        """pysaml2's IdP; the rogue one has the same name but another key."""
        name = "rogue" if rogue else "real"
        if name not in self._servers:
            key, cert = (self._rogue_key, self._rogue_cert) if rogue else (self._key, self._cert)
            self._servers[name] = Server(config=self._config(key=key, cert=cert, with_sp=True))
        return self._servers[name]

    def metadata_xml(self) -> str:
        return str(entity_descriptor(self._config(key=self._key, cert=self._cert, with_sp=False)))

    def start(self) -> "SamlIdentityProvider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- the protocol -----------------------------------------------------

    def authn_response(
        self, saml_request: str, username: str, *, sign: bool = True, rogue: bool = False
    ) -> tuple[str, str]:
        """The response to an AuthnRequest (Redirect binding, as the portal sends
        it): the ACS address and the base64 SAMLResponse to post there."""
        server = self.server(rogue=rogue)
        request = server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
        response_args = server.response_args(request.message, [BINDING_HTTP_POST])
        destination = response_args["destination"]
        attributes = self.users[username]
        response = server.create_authn_response(
            attributes,
            userid=username,
            authn={"class_ref": AUTHN_PASSWORD, "authn_auth": self.base},
            sign_assertion=sign,
            sign_response=False,
            session_not_on_or_after=(
                time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.session_not_on_or_after))
                if self.session_not_on_or_after
                else None
            ),
            **response_args,
        )
        info = server.apply_binding(BINDING_HTTP_POST, str(response), destination, "", response=True)
        saml_response = _form_value(info["data"], "SAMLResponse")
        return destination, saml_response

    def logout_request_url(self, sp_entity_id: str, name_id) -> str:
        """Where the IdP sends the browser to log a person out of the portal
        (a signed LogoutRequest, Redirect binding): single log-out begun at
        the provider."""
        server = self.server()
        binding, destination = server.pick_binding(
            "single_logout_service", [BINDING_HTTP_REDIRECT], "spsso", entity_id=sp_entity_id
        )
        _id, request = server.create_logout_request(
            destination, sp_entity_id, name_id=name_id, expire=in_a_while(minutes=5), sign=True
        )
        info = server.apply_binding(binding, str(request), destination, "", sign=True)
        return dict(info["headers"])["Location"]

    def _app(self, environ, start_response):
        path = environ["PATH_INFO"]
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if path == "/metadata":
            return _answer(start_response, "200 OK", self.metadata_xml(), "text/xml")
        if path == "/sso/redirect":
            fields = {"SAMLRequest": query["SAMLRequest"][0], "RelayState": query.get("RelayState", [""])[0]}
            hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items())
            page = (
                '<!doctype html><html lang="sv"><head><title>Test-IdP</title></head><body><main>'
                '<h1>Test-IdP</h1><form method="post" action="/sso/login">'
                f'{hidden}<label for="u">Användarnamn</label> <input id="u" name="username">'
                '<button type="submit">Logga in hos Test-IdP</button></form></main></body></html>'
            )
            return _answer(start_response, "200 OK", page)
        if path == "/sso/login":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(length).decode())
            username = form.get("username", [""])[0]
            if username not in self.users:
                return _answer(start_response, "403 Forbidden", "Okänd användare")
            destination, saml_response = self.authn_response(form["SAMLRequest"][0], username)
            relay_state = form.get("RelayState", [""])[0]
            page = (
                '<!doctype html><html lang="sv"><head><title>Test-IdP</title></head><body><main>'
                f'<form method="post" action="{html.escape(destination)}">'
                f'<input type="hidden" name="SAMLResponse" value="{html.escape(saml_response)}">'
                f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
                '<button type="submit">Fortsätt till tjänsten</button></form></main></body></html>'
            )
            return _answer(start_response, "200 OK", page)
        if path == "/slo/redirect":
            server = self.server()
            request = server.parse_logout_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
            self.logged_out.append(request.message.name_id.text)
            response = server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
            binding, destination = server.pick_binding(
                "single_logout_service", [BINDING_HTTP_REDIRECT], "spsso", entity_id=request.message.issuer.text
            )
            info = server.apply_binding(
                binding, str(response), destination, query.get("RelayState", [""])[0], response=True
            )
            location = dict(info["headers"])["Location"]
            start_response("302 Found", [("Location", location)])
            return [b""]
        return _answer(start_response, "404 Not Found", "")


def _answer(start_response, status: str, body: str, content_type: str = "text/html"):
    start_response(status, [("Content-Type", f"{content_type}; charset=utf-8")])
    return [body.encode()]


def _form_value(form_html: str, name: str) -> str:
    marker = f'name="{name}" value="'
    start = form_html.index(marker) + len(marker)
    return html.unescape(form_html[start : form_html.index('"', start)])


def redirect_query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
