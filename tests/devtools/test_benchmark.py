import http.server
import io
import json
import shutil
import socket
import subprocess
import threading

import pytest
from django.core.management import call_command

from devtools import benchmark, load_test, scale

pytestmark = pytest.mark.slow

SMALL = scale.SCALES["small"]

WRK_OUTPUT = """\
Running 2s test @ http://127.0.0.1:8077
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     7.12ms    3.45ms  40.11ms   87.50%
    Req/Sec   280.50     30.12   340.00     70.00%
  Latency Distribution
     50%    5.40ms
     75%    8.10ms
     90%   12.00ms
     99%    1.20s
  1122 requests in 2.00s, 30.15MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:    560.71
Transfer/sec:     15.07MB
Not 200: 4
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redirect(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(302)
        self.send_header("Location", "/accounts/login/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def generated(transactional_db):
    """Committed generated data: the gunicorn under test reads it from another process."""
    scale.generate(SMALL, seed=1, say=lambda _message: None)


def test_wrk_output_gives_requests_per_second_errors_and_latency_in_ms():
    figures = load_test.parse_wrk(WRK_OUTPUT)
    assert figures["requests_per_second"] == 560.71
    assert figures["requests"] == 1122
    assert figures["errors"] == 4 + 3  # not 200, and socket errors
    assert figures["latency_ms"] == {"50%": 5.4, "90%": 12.0, "99%": 1200.0}


def test_wrk_latency_in_microseconds_is_given_in_ms_and_no_socket_errors_is_none():
    output = WRK_OUTPUT.replace("50%    5.40ms", "50%  812.00us").replace(
        "  Socket errors: connect 0, read 1, write 0, timeout 2\n", ""
    )
    figures = load_test.parse_wrk(output)
    assert figures["latency_ms"]["50%"] == 0.8
    assert figures["errors"] == 4


def test_the_load_script_counts_every_answer_but_200_as_an_error(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = tmp_path / "mix.lua"
    script.write_text(load_test.WRK_SCRIPT % ('"/"', '"not-a-session"'))
    try:
        output = subprocess.run(
            [shutil.which("wrk"), "-t2", "-c2", "-d1s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        server.shutdown()
        server.server_close()
    figures = load_test.parse_wrk(output)
    assert figures["requests"] > 0
    assert figures["errors"] >= figures["requests"]


def test_the_benchmark_on_generated_data_answers_every_page_in_few_queries_and_serves_without_errors(generated):
    results = benchmark.run(
        repeat=3, duration=2, connections=4, workers=2, port=free_port(), load=True, page_duration=1
    )

    assert results.data["schools"] == SMALL.schools
    pages = {page.name: page for page in results.pages}
    assert "autosave POST" in pages  # measure_pages raises when the autosave did not save
    for page in results.pages:
        assert page.status == 200, page
        if page.name.endswith(", cold cache"):
            # A committee's dashboard reads its computed indicators in one query of its own.
            assert page.queries <= 11, page
        elif page.name != "autosave POST":
            assert page.queries <= 8, page
    assert results.submission_to_dashboard_s is not None, results.submission_note
    assert results.report_excel_s is not None
    assert results.report_pdf_s is not None
    throughput = results.throughput
    assert "skipped" not in throughput, throughput
    assert throughput["errors"] == 0, throughput
    assert throughput["requests_per_second"] > 0
    assert throughput["requests"] > 0
    # The bare Django page under the same settings, measured in the same run.
    reference = throughput["reference"]
    assert reference["errors"] == 0, reference
    assert reference["requests"] > 0
    assert throughput["ratio_to_reference"] == round(
        throughput["requests_per_second"] / reference["requests_per_second"], 2
    )
    # Each page on its own, with its share of the reference.
    users = benchmark._user(0), benchmark._user(2), benchmark._user(3)
    assert set(throughput["by_page"]) == {name for name, _u, method, *_rest in benchmark.main_pages(*users)}
    for name, page in throughput["by_page"].items():
        assert page["errors"] == 0, (name, page)
        assert page["requests_per_second"] > 0, name
        assert page["ratio_to_reference"] == round(page["requests_per_second"] / reference["requests_per_second"], 2)


def test_the_command_writes_the_figures_as_json(generated, tmp_path):
    path = tmp_path / "b.json"
    out = io.StringIO()
    call_command("benchmark", "--no-load", "--repeat", "2", "--json", str(path), stdout=out)
    figures = json.loads(path.read_text())
    assert {"machine", "data", "pages", "throughput"} <= figures.keys()
    assert figures["data"]["committees"] == SMALL.committees
    assert figures["throughput"] == {}
    assert {page["status"] for page in figures["pages"]} == {200}
    assert "Figures written to" in out.getvalue()
