"""Measuring the portal at a scale made by `generate_data`: server times, queries
per page, how soon a submission shows on the dashboard, report build times and
throughput under gunicorn. `manage.py benchmark` prints the figures and writes
them as JSON; docs/benchmarks.md records what they were and on what machine.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from core.pdf import PdfUnavailable
from dashboards import reports, tasks
from dashboards.models import Rollup, SummaryBacklog
from devtools import load_test
from devtools.scale import USERS
from followup import services as followup
from followup.models import AreaAnswer, AssessmentStatus, Cycle, SelfAssessment
from strategy.models import IndicatorUnit

BASE_DIR = Path(settings.BASE_DIR)


@dataclass
class PageFigures:
    name: str
    path: str
    queries: int
    p50_ms: float
    p95_ms: float
    status: int


@dataclass
class Results:
    machine: dict
    data: dict
    pages: list[PageFigures] = field(default_factory=list)
    submission_to_dashboard_s: float | None = None
    submission_note: str = ""
    report_excel_s: float | None = None
    report_pdf_s: float | None = None
    report_content_s: float | None = None
    throughput: dict = field(default_factory=dict)


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor()
    memory = ""
    try:
        kib = int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        database = cursor.fetchone()[0].split(" on ")[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
    }


def data_size() -> dict:
    from schools.models import Committee, School

    return {
        "committees": Committee.objects.count(),
        "schools": School.objects.count(),
        "cycles": Cycle.objects.count(),
        "assessments": SelfAssessment.objects.count(),
        "area_answers": AreaAnswer.objects.count(),
    }


def _user(role_index: int) -> User:
    email = USERS[role_index][0]
    user = User.objects.filter(email=email).first()
    if user is None:
        raise LookupError(f"No user {email}: run `manage.py generate_data --scale small|national` first.")
    return user


def _time(client: Client, method: str, path: str, repeat: int, data=None, headers=None, before=None) -> tuple:
    for _ in range(2):  # warm up caches and connections
        if before:
            data = before()
        getattr(client, method)(path, data=data, headers=headers or {})
    timings = []
    status = 0
    for _ in range(repeat):
        if before:
            data = before()
        started = time.perf_counter()
        response = getattr(client, method)(path, data=data, headers=headers or {})
        timings.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    if before:
        data = before()
    with CaptureQueriesContext(connection) as queries:
        getattr(client, method)(path, data=data, headers=headers or {})
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return len(queries), round(statistics.median(timings), 1), round(p95, 1), status


def main_pages(
    analyst: User, editor: User, principal: User
) -> list[tuple[str, User, str, str, dict | None, dict | None]]:
    """(name, user, method, path, data, headers) of every main page of the portal."""
    cycle = Cycle.objects.order_by("-year").first()
    committee = editor.memberships.first().committee
    school = principal.memberships.first().school
    assessment = SelfAssessment.objects.get(cycle=cycle, school=school)
    plan = committee.action_plans.first()
    return [
        ("dashboard, city", analyst, "get", f"{reverse('dashboards:dashboard')}?year={cycle.year}", None, None),
        (
            "dashboard, committee",
            editor,
            "get",
            f"{reverse('dashboards:dashboard')}?year={cycle.year}&committee={committee.pk}",
            None,
            None,
        ),
        (
            "dashboard, school",
            editor,
            "get",
            f"{reverse('dashboards:dashboard')}?year={cycle.year}&school={school.pk}",
            None,
            None,
        ),
        (
            "principal's form page",
            principal,
            "get",
            reverse("followup:assessment_area", args=[assessment.pk, 1]),
            None,
            None,
        ),
        ("self-assessment", principal, "get", reverse("followup:assessment_detail", args=[assessment.pk]), None, None),
        ("follow-up list", analyst, "get", reverse("followup:cycle_list"), None, None),
        (
            "follow-up, who has handed in",
            analyst,
            "get",
            reverse("followup:cycle_detail", args=[cycle.pk]),
            None,
            None,
        ),
        ("organisation", analyst, "get", reverse("schools:committee_list"), None, None),
        ("committee", editor, "get", reverse("schools:committee_detail", args=[committee.pk]), None, None),
        ("action plans", editor, "get", reverse("actionplans:plan_list"), None, None),
        ("action plan", editor, "get", reverse("actionplans:plan_detail", args=[plan.pk]), None, None),
    ]


def _refresh_a_school() -> None:
    """Mark a school of the newest follow-up and run the refresh task, as a submission and the worker do
    (the mark written here, not queued, so that the benchmark's worker does not take the refresh)."""
    cycle = Cycle.objects.order_by("-year").first()
    school_id = SelfAssessment.objects.filter(cycle=cycle).values_list("school_id", flat=True).first()
    SummaryBacklog.objects.update_or_create(cycle=cycle, school_id=school_id, defaults={"token": uuid.uuid4()})
    tasks.refresh_summaries(cycle.pk)


def autosave_data(assessment: SelfAssessment) -> dict:
    """The POST the area form's autosave sends, with the stored version."""
    area = assessment.cycle.areas.get(number=1)
    answer = AreaAnswer.objects.get(assessment=assessment, area=area)
    data = {
        "level": answer.level or 1,
        "done": answer.done,
        "strengths": answer.strengths,
        # A changed text, as typing gives: a save that changes nothing writes nothing.
        "next_steps": f"Fortbildning i formativ bedömning, utkast {answer.version + 1}.",
        "not_applicable_reason": "",
        "version": answer.version,
    }
    for indicator in area.indicators.for_school(assessment.school):
        value = assessment.indicator_answers.filter(indicator=indicator).values_list("value", flat=True).first()
        if value is not None and indicator.unit == IndicatorUnit.YES_NO:
            value = int(value)  # the form's choices are 1 and 0
        data[f"indicator_{indicator.pk}"] = "" if value is None else str(value)
    return data


def measure_pages(repeat: int) -> list[PageFigures]:
    analyst, editor, principal = _user(0), _user(2), _user(3)
    results = []
    clients: dict[int, Client] = {}
    for name, user, method, path, data, headers in main_pages(analyst, editor, principal):
        client = clients.setdefault(user.pk, Client())
        client.force_login(user)
        queries, p50, p95, status = _time(client, method, path, repeat, data=data, headers=headers)
        results.append(PageFigures(name, path, queries, p50, p95, status))
        if name.startswith("dashboard"):
            # The first view after the summaries changed: nothing cached (not even the session).
            queries, p50, p95, status = _time(
                client, method, path, repeat, data=data, headers=headers, before=cache.clear
            )
            results.append(PageFigures(f"{name}, cold cache", path, queries, p50, p95, status))
        if name == "dashboard, city":
            # The first view after a refresh of the summaries, as the worker leaves it.
            queries, p50, p95, status = _time(
                client, method, path, repeat, data=data, headers=headers, before=_refresh_a_school
            )
            results.append(PageFigures(f"{name}, first view after a refresh", path, queries, p50, p95, status))
    # The autosave: the principal's form posts its area by htmx; each post carries the version it read.
    cycle = Cycle.objects.order_by("-year").first()
    assessment = SelfAssessment.objects.get(cycle=cycle, school=principal.memberships.first().school)
    SelfAssessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.DRAFT)
    path = reverse("followup:assessment_area", args=[assessment.pk, 1])
    client = clients[principal.pk]
    queries, p50, p95, status = _time(
        client, "post", path, repeat, headers={"HX-Request": "true"}, before=lambda: autosave_data(assessment)
    )
    version = AreaAnswer.objects.get(assessment=assessment, area__number=1).version
    if version < repeat:  # each post must have been saved, not answered with an error
        raise RuntimeError(f"the autosave did not save (version {version} after {repeat} posts)")
    results.append(PageFigures("autosave POST", path, queries, p50, p95, status))
    return results


def measure_submission(timeout: float = 120.0) -> tuple[float | None, str]:
    """Submit a complete draft and wait until the city's summary counts it."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        note = "tasks ran in the process (no broker): the refresh ran inside the submission"
    else:
        note = "refreshed by a Celery worker through Redis"
    cycle = Cycle.objects.order_by("-year").first()
    draft = (
        SelfAssessment.objects.filter(cycle=cycle, status=AssessmentStatus.DRAFT)
        .exclude(school__memberships__isnull=False)
        .select_related("school", "cycle")
        .first()
    )
    if draft is None:
        return None, "no complete draft left to submit"
    city = Rollup.objects.filter(cycle=cycle, key=Rollup.key_for(None))  # the row the city's dashboard reads

    def submitted() -> int:
        return (city.values_list("statuses", flat=True).first() or {}).get(AssessmentStatus.SUBMITTED, 0)

    before = submitted()
    principal = _user(3)
    started = time.monotonic()
    followup.assessment_submit(assessment=draft, user=principal)
    while time.monotonic() - started < timeout:
        if submitted() > before:
            return round(time.monotonic() - started, 2), note
        time.sleep(0.1)
    return None, f"not visible after {timeout:.0f} s ({note})"


def measure_reports() -> tuple[float, float, float | None]:
    cycle = Cycle.objects.order_by("-year").first()
    started = time.perf_counter()
    content = reports.content_for(reports.document_for(cycle=cycle))
    content_s = time.perf_counter() - started
    started = time.perf_counter()
    reports.build_workbook(content)
    excel_s = time.perf_counter() - started + content_s
    try:
        started = time.perf_counter()
        reports.build_pdf(content)
        pdf_s = time.perf_counter() - started + content_s
    except PdfUnavailable:
        pdf_s = None
    return round(content_s, 2), round(excel_s, 2), None if pdf_s is None else round(pdf_s, 2)


def run(
    *, repeat: int, duration: int, connections: int, workers: int, port: int, load: bool, page_duration: int = 0
) -> Results:
    results = Results(machine=machine(), data=data_size())
    results.pages = measure_pages(repeat)
    results.submission_to_dashboard_s, results.submission_note = measure_submission()
    results.report_content_s, results.report_excel_s, results.report_pdf_s = measure_reports()
    if load:
        analyst, editor, principal = _user(0), _user(2), _user(3)
        mix = [
            (name, user, path)
            for name, user, method, path, _d, _h in main_pages(analyst, editor, principal)
            if method == "get"
        ]
        results.throughput = load_test.measure_throughput(
            mix=mix,
            duration=duration,
            connections=connections,
            workers=workers,
            port=port,
            page_duration=page_duration,
        )
    return results


def as_dict(results: Results) -> dict:
    return asdict(results)
