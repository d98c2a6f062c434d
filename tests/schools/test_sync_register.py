"""`sync_register` reads the city's units from Skolverket's school-unit register,
here a local HTTP server serving the recorded documents of
tests/fixtures/skolverket_register, shows the changes and writes them only with
--apply, in one transaction through the import's own checks."""

import io
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command

from schools.models import School, SchoolForm
from tests.factories import CommitteeFactory, SchoolFactory
from tests.schools.test_import import database_state

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "skolverket_register"
CITY_UNITS = {"91000001", "91000002", "91000003", "91000004"}


class Register:
    """A register on localhost: serves the recorded documents, or answers as `mode` says."""

    def __init__(self):
        self.mode = "recorded"
        self.broken_unit = None
        self.requests: list[tuple[str, dict]] = []
        register = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                register.requests.append((url.path, parse_qs(url.query)))
                register.answer(self, url.path)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/skolenhetsregistret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, handler, path: str) -> None:
        prefix = "/skolenhetsregistret/v2/school-units"
        if self.mode == "slow":
            time.sleep(2)
        if self.mode == "error":
            return self.send(handler, 500, b'{"title": "Internal Server Error"}')
        if self.mode == "garbage":
            return self.send(handler, 200, b"<html><body>Underhall pagar</body></html>", "text/html")
        if path == prefix:
            return self.send(handler, 200, (FIXTURES / "school-units.json").read_bytes())
        code = path.removeprefix(prefix + "/")
        if code == self.broken_unit:
            return self.send(handler, 200, b'{"data": {"type": "schoolunit", "attributes": [' * 50)
        document = FIXTURES / "school-units" / f"{code}.json"
        if path.startswith(prefix + "/") and document.is_file():
            return self.send(handler, 200, document.read_bytes())
        return self.send(handler, 404, b'{"title": "Not Found", "detail": "Angiven resurs hittades inte"}')

    @staticmethod
    def send(handler, status: int, body: bytes, content_type: str = "application/json") -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture
def register():
    server = Register()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def utb(db):
    return CommitteeFactory(code="UTB", name="Utbildningsnämnden")


def sync(register_url: str, *args: str) -> str:
    out = io.StringIO()
    call_command(
        "sync_register", "--url", register_url, "--municipality", "1480", *args, stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def unit_codes() -> set[str]:
    return set(School.objects.values_list("unit_code", flat=True))


def test_a_dry_run_shows_the_new_units_and_writes_nothing(register, utb):
    before = database_state()

    out = sync(register.url, "--committee", "UTB")

    for code in CITY_UNITS:
        assert f"create  {code}" in out
    assert "skipped 91000005" in out
    assert "skipped 91000006" in out
    assert "nothing written" in out
    assert database_state() == before


def test_the_register_is_asked_for_the_citys_units_of_every_status(register, utb):
    sync(register.url, "--committee", "UTB")

    path, query = register.requests[0]
    assert path == "/skolenhetsregistret/v2/school-units"
    assert query["municipality_code"] == ["1480"]
    assert sorted(query["status"]) == ["AKTIV", "PLANERAD", "UPPHORT", "VILANDE"]
    assert {p.rsplit("/", 1)[-1] for p, _ in register.requests[1:]} == CITY_UNITS | {"91000005", "91000006"}


def test_apply_writes_the_citys_units_once_and_again_changes_nothing(register, utb):
    sync(register.url, "--committee", "UTB", "--apply")

    assert unit_codes() == CITY_UNITS
    ekbacken = School.objects.get(unit_code="91000001")
    assert ekbacken.committee == utb
    assert ekbacken.organisation_number == "2120009999"
    assert ekbacken.principal_email == "rektor.ekbacken@demostad.se"
    assert not School.objects.get(unit_code="91000004").is_active
    after_first = database_state()

    out = sync(register.url, "--committee", "UTB", "--apply")

    assert "0 create, 0 update, 4 unchanged" in out
    assert database_state() == after_first


def test_changed_and_closed_units_are_shown_and_units_missing_from_the_register_are_left_alone(register, utb):
    norr = CommitteeFactory(code="SDN-NORR", name="Norra stadsdelsnämnden")
    for code in CITY_UNITS - {"91000004"}:
        SchoolFactory(unit_code=code, name=f"Gamla {code}", committee=norr)
    tallbacka = SchoolFactory(unit_code="91000004", name="Tallbacka skola", committee=norr)
    tallbacka.set_forms({SchoolForm.COMPULSORY})
    gone = SchoolFactory(unit_code="91000099", name="Borttagna skolan", committee=norr)
    gone.set_forms({SchoolForm.COMPULSORY})

    out = sync(register.url, "--apply")

    assert "update  91000001 Ekbackens skola" in out
    [tallbacka_line] = [line for line in out.splitlines() if "91000004" in line]
    assert tallbacka_line.startswith("update")
    assert tallbacka_line.endswith("nedlagd")
    assert "not in the register 91000099 Borttagna skolan" in out
    assert School.objects.get(unit_code="91000001").committee == norr
    assert not School.objects.get(unit_code="91000004").is_active
    assert School.objects.get(unit_code="91000099").is_active


def test_new_units_without_a_committee_for_them_write_nothing(register, utb):
    before = database_state()

    with pytest.raises(CommandError, match="nothing was written"):
        sync(register.url, "--apply")

    assert database_state() == before


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("error", "svarade 500"), ("garbage", "inte giltig JSON"), ("slow", "svarar inte")],
)
def test_a_register_that_fails_gives_a_clear_error_and_writes_nothing(register, utb, settings, mode, expected):
    settings.SKOLVERKET_REGISTER_TIMEOUT = 0.5
    register.mode = mode
    before = database_state()

    with pytest.raises(CommandError, match=expected):
        sync(register.url, "--committee", "UTB", "--apply")

    assert database_state() == before


def test_a_register_answer_larger_than_a_file_may_be_is_refused_and_nothing_is_written(register, utb, settings):
    settings.ORGANISATION_IMPORT_MAX_BYTES = 1000
    before = database_state()

    with pytest.raises(CommandError, match="svarade mer än"):
        sync(register.url, "--committee", "UTB", "--apply")

    assert database_state() == before


def test_a_register_that_is_down_gives_a_clear_error_and_writes_nothing(utb):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    before = database_state()

    with pytest.raises(CommandError, match="svarar inte"):
        sync(f"http://127.0.0.1:{port}/skolenhetsregistret", "--committee", "UTB", "--apply")

    assert database_state() == before


def test_one_units_broken_document_stops_the_whole_sync(register, utb):
    register.broken_unit = "91000003"
    before = database_state()

    with pytest.raises(CommandError, match="91000003 är nästlad djupare"):
        sync(register.url, "--committee", "UTB", "--apply")

    assert database_state() == before


def test_without_the_citys_municipality_code_the_command_says_what_is_missing(utb, settings):
    settings.CITY_MUNICIPALITY_CODE = ""
    with pytest.raises(CommandError, match="CITY_MUNICIPALITY_CODE"):
        call_command("sync_register", "--url", "http://127.0.0.1:9/")
