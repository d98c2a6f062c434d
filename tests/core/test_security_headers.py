"""Headers that keep a logged-in user's pages and downloads private, and the
browser's policies: Content-Security-Policy and Permissions-Policy."""

import pytest
from django.urls import reverse

from dashboards import tables


def test_a_logged_in_page_is_private_and_not_stored(client, org):
    client.force_login(org.editor_a)
    response = client.get(reverse("schools:committee_detail", args=[org.committee_a.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_redirect_and_an_error_page_for_a_logged_in_user_are_private_too(client, org):
    client.force_login(org.principal_a)
    assert client.get(reverse("portal:home"))["Cache-Control"] == "private, no-store"
    forbidden = client.get(reverse("schools:committee_list"))
    assert forbidden.status_code == 403
    assert forbidden["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        (lambda o: reverse("actionplans:plan_export_xlsx", args=[o.plan_a.pk]), "application/vnd.openxmlformats"),
        (
            lambda o: (
                reverse("dashboards:dashboard_csv", args=["completeness"])
                + "?"
                + tables.dashboard_url(o.cycle.pk).split("?", 1)[1]
            ),
            "text/csv",
        ),
        (lambda o: reverse("dashboards:assessment_report_pdf", args=[o.assessment_a.pk]), "application/pdf"),
    ],
    ids=["xlsx", "csv", "pdf"],
)
def test_downloads_are_private_and_not_stored(client, org, cycle_a, plan_a, url, content_type):
    client.force_login(org.admin)
    response = client.get(url(org))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Cache-Control"] == "private, no-store"


def test_every_page_has_a_strict_content_security_policy_and_a_permissions_policy(client, org):
    for response in (client.get(reverse("login")), client.get(reverse("core:healthz"))):
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        permissions = response["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in permissions


def test_no_template_has_an_inline_script_style_attribute_or_event_handler():
    import re
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for folder in (settings.BASE_DIR / "templates", settings.BASE_DIR / "static" / "js"):
        for path in Path(folder).rglob("*"):
            if not path.is_file() or path.name.endswith("_pdf.html"):
                # PDF templates are read by WeasyPrint on the server, never by a browser.
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
                offenders.append(f"{path}: inline <script>")
            if re.search(r"\sstyle=", text) or "<style" in text:
                offenders.append(f"{path}: inline style")
            if re.search(r"\son[a-z]+=", text):
                offenders.append(f"{path}: inline event handler")
    assert offenders == []
