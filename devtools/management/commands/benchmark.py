import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devtools import benchmark


class Command(BaseCommand):
    help = (
        "Measure the portal on the data in the database (made by generate_data): server time and queries per main "
        "page, the autosave, a submission until the dashboard shows it, the yearly report, and requests per second "
        "under gunicorn with wrk. Prints a table and writes JSON. Changes the data a little (one submission, saves)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30, help="Requests per page for p50/p95 (default 30).")
        parser.add_argument(
            "--json", default="benchmark.json", help="Where to write the figures (default %(default)s)."
        )
        parser.add_argument("--duration", type=int, default=20, help="Seconds of load (default 20).")
        parser.add_argument(
            "--page-duration", type=int, default=5, help="Seconds of load on each page alone (default 5; 0: none)."
        )
        parser.add_argument("--connections", type=int, default=16, help="Open connections of wrk (default 16).")
        parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (default 5: 2 × cores + 1).")
        parser.add_argument("--port", type=int, default=8077)
        parser.add_argument("--no-load", action="store_true", help="Skip the throughput test under gunicorn.")

    def handle(self, *args, **options):
        try:
            results = benchmark.run(
                repeat=options["repeat"],
                duration=options["duration"],
                connections=options["connections"],
                workers=options["workers"],
                port=options["port"],
                load=not options["no_load"],
                page_duration=options["page_duration"],
            )
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        out = self.stdout.write
        m, d = results.machine, results.data
        out(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; {m['database']}; Python {m['python']}")
        out(
            f"Data: {d['committees']} committees, {d['schools']} school units, {d['cycles']} follow-ups, "
            f"{d['assessments']} self-assessments, {d['area_answers']} area answers"
        )
        out("")
        out(f"{'page':34} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'status':>6}")
        for page in results.pages:
            out(f"{page.name:34} {page.queries:>7} {page.p50_ms:>8} {page.p95_ms:>8} {page.status:>6}")
        out("")
        seconds = "–" if results.submission_to_dashboard_s is None else f"{results.submission_to_dashboard_s} s"
        out(f"Submission until the dashboard shows it: {seconds} ({results.submission_note})")
        out(
            f"Yearly report, whole city: Excel {results.report_excel_s} s, PDF {results.report_pdf_s or '–'} s "
            f"(of which reading the summaries {results.report_content_s} s)"
        )
        t = results.throughput
        if t.get("skipped"):
            out(f"Throughput: skipped, {t['skipped']}")
        elif t:
            latency = t["latency_ms"]
            out(
                f"Throughput: {t['requests_per_second']:.0f} requests/s over {t['pages']} pages, {t['errors']} errors "
                f"({t['requests']} requests, {t['connections']} connections, {t['gunicorn_workers']} gunicorn workers, "
                f"{t['seconds']} s; latency p50 {latency.get('50%')} ms, p90 {latency.get('90%')} ms, "
                f"p99 {latency.get('99%')} ms)"
            )
            reference = t.get("reference") or {}
            if reference.get("requests_per_second"):
                out(
                    f"Reference, a bare Django page under the same gunicorn and wrk settings: "
                    f"{reference['requests_per_second']:.0f} requests/s, {reference['errors']} errors; "
                    f"the portal serves {t['ratio_to_reference']} of it"
                )
            if t.get("by_page"):
                out(f"\n{'page alone':34} {'requests/s':>10} {'errors':>6} {'share':>6}")
                for name, page in t["by_page"].items():
                    out(
                        f"{name:34} {page['requests_per_second']:>10.0f} {page['errors']:>6} "
                        f"{page['ratio_to_reference'] if page['ratio_to_reference'] is not None else '–':>6}"
                    )
        Path(options["json"]).write_text(json.dumps(benchmark.as_dict(results), indent=2, ensure_ascii=False))
        out(f"\nFigures written to {options['json']}.")
