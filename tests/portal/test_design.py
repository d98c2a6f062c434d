import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from core.colours import contrast_ratio


def test_the_committed_stylesheet_is_built_from_its_sass_sources():
    call_command("build_css", "--check")


def test_the_tokens_keep_control_borders_and_texts_readable():
    css = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text()
    assert "--portal-line-control: #6b7280" in css
    assert contrast_ratio("#6b7280", "#ffffff") >= 3
    for background, text in [
        ("#e3eef9", "#0b2545"),
        ("#6fa8dc", "#0b2545"),
        ("#2f6fb3", "#ffffff"),
        ("#0b3a6e", "#ffffff"),
    ]:
        assert contrast_ratio(background, text) >= 4.5, background
    for status in ["not_started", "draft", "submitted", "returned", "approved", "late"]:
        assert f".tag-status-{status}" in css


def test_the_city_colour_is_served_as_a_stylesheet(client, settings):
    settings.CITY_COLOUR = "#7a1f5c"
    response = client.get(reverse("portal:city_stylesheet"))
    assert response["Content-Type"].startswith("text/css")
    assert response.content.decode() == ":root { --portal-city: #7a1f5c; }\n"


def test_every_page_shows_the_citys_name_and_logo(client, org, settings):
    settings.CITY_LOGO = "https://www.example.se/logo.svg"
    client.force_login(org.principal_a)
    page = client.get(reverse("schools:school_detail", args=[org.school_a.pk])).content.decode()
    assert '<img src="https://www.example.se/logo.svg" alt=""' in page
    assert "Demostad" in page
    assert '<link rel="stylesheet" href="/city.css">' in page


def _start(**env) -> subprocess.CompletedProcess:
    code = "import django; django.setup()"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )


def test_a_city_colour_too_light_for_white_text_stops_start_up():
    result = _start(CITY_COLOUR="#ffd700")
    assert result.returncode != 0
    assert "CITY_COLOUR" in result.stderr
    assert "4.5:1" in result.stderr


def test_a_malformed_city_colour_stops_start_up():
    result = _start(CITY_COLOUR="blue")
    assert result.returncode != 0
    assert "Configuration error: CITY_COLOUR" in result.stderr


def test_a_status_is_a_tag_that_says_it_and_a_late_one_says_so(client, org, cycle_a):
    client.force_login(org.principal_a)
    assessment = cycle_a.assessments.get(school=org.school_a)
    page = client.get(reverse("followup:assessment_detail", args=[assessment.pk])).content.decode()
    assert f'<span class="tag tag-status-{assessment.status}">' in page


def test_a_self_assessment_past_its_deadline_is_tagged_late(client, org, cycle_a):
    import datetime

    from django.utils import timezone

    type(cycle_a).objects.filter(pk=cycle_a.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(org.principal_a)
    page = client.get(reverse("followup:assessment_detail", args=[org.assessment_a.pk])).content.decode()
    assert '<span class="tag tag-status-late">Försenad 1 dag</span>' in page
