"""Every URL of the project against every kind of user, as one table.

404 means the object is outside the user's reach (its existence is not
confirmed); 403 means the user can see it but the role is too low for the
action. `test_every_url_pattern_is_in_the_table` fails when a new URL is added
without a row here.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Outsiders are principal_b and editor_b (committee B); head_a is school A's head of
# schools and staff_a writes school A's self-assessment without submitting it.
PERSONAS = [
    "anonymous",
    "principal_a",
    "principal_b",
    "editor_a",
    "editor_b",
    "reader_a",
    "analyst",
    "admin",
    "head_a",
    "staff_a",
]


def expect(anonymous, principal_a, principal_b, editor_a, editor_b, reader_a, analyst, admin, head_a, staff_a):
    return dict(
        zip(
            PERSONAS,
            [anonymous, principal_a, principal_b, editor_a, editor_b, reader_a, analyst, admin, head_a, staff_a],
            strict=True,
        )
    )


# url name: (method, kwargs from the org fixture, expected status per persona)
TABLE = {
    "portal:home": ("get", lambda o: {}, expect(302, 302, 302, 302, 302, 302, 302, 302, 200, 302)),
    "core:healthz": ("get", lambda o: {}, expect(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "core:csrf_token": ("get", lambda o: {}, expect(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "login": ("get", lambda o: {}, expect(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "logout": ("post", lambda o: {}, expect(302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    "password_reset": ("get", lambda o: {}, expect(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "password_reset_done": ("get", lambda o: {}, expect(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    # Signing in through the city's identity provider: public, and not there
    # at all while its settings are not (tests/accounts/test_sso_*.py turn it on).
    "sso_no_role": ("get", lambda o: {}, expect(403, 403, 403, 403, 403, 403, 403, 403, 403, 403)),
    "saml2_login": ("get", lambda o: {}, expect(404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    "saml2_acs": ("post", lambda o: {}, expect(404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    "saml2_ls": ("get", lambda o: {}, expect(404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    "saml2_ls_post": ("post", lambda o: {}, expect(404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    "saml2_metadata": ("get", lambda o: {}, expect(404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    "oidc_login": ("get", lambda o: {}, expect(404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    "oidc_callback": ("get", lambda o: {}, expect(404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    "password_reset_confirm": (
        "get",
        lambda o: {"uidb64": "MQ", "token": "bad-token"},
        expect(200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    "password_reset_complete": ("get", lambda o: {}, expect(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "portal:set_language": ("post", lambda o: {}, expect(302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    "portal:city_stylesheet": ("get", lambda o: {}, expect(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "portal:accessibility": ("get", lambda o: {}, expect(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    # The Django admin: staff, and the city admin role who keeps strategies there.
    "admin:index": ("get", lambda o: {}, expect(302, 302, 302, 302, 302, 302, 302, 200, 302, 302)),
    "schools:committee_list": ("get", lambda o: {}, expect(302, 403, 403, 200, 200, 200, 200, 200, 403, 403)),
    "schools:committee_detail": (
        "get",
        lambda o: {"pk": o.committee_a.pk},
        expect(302, 404, 404, 200, 404, 200, 200, 200, 404, 404),
    ),
    "schools:school_detail": (
        "get",
        lambda o: {"pk": o.school_a.pk},
        expect(302, 200, 404, 200, 404, 200, 200, 200, 200, 200),
    ),
    "schools:school_edit": (
        "get",
        lambda o: {"pk": o.school_a.pk},
        expect(302, 403, 404, 403, 404, 403, 403, 200, 403, 403),
    ),
    "schools:organisation_import": ("get", lambda o: {}, expect(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    # Merging two units: the city admin; a POST without a valid choice shows the form again.
    "followup:school_merge": ("get", lambda o: {}, expect(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    "schools:organisation_import_template": (
        "get",
        lambda o: {},
        expect(302, 403, 403, 403, 403, 403, 403, 200, 403, 403),
    ),
    "schools:organisation_import_confirm": (
        "post",
        lambda o: {},
        expect(302, 403, 403, 403, 403, 403, 403, 302, 403, 403),
    ),
    # Everyone keeps their own settings.
    "accounts:settings": ("get", lambda o: {}, expect(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "accounts:user_list": ("get", lambda o: {}, expect(302, 403, 403, 200, 200, 403, 403, 200, 403, 403)),
    "accounts:user_invite": ("get", lambda o: {}, expect(302, 403, 403, 200, 200, 403, 403, 200, 403, 403)),
    "accounts:user_detail": (
        "get",
        lambda o: {"pk": o.principal_a.pk},
        expect(302, 403, 403, 200, 404, 403, 403, 200, 403, 403),
    ),
    # Unlocking a login locked after failed attempts: the city admin only.
    "accounts:user_unlock": (
        "post",
        lambda o: {"pk": o.principal_a.pk},
        expect(302, 403, 403, 403, 404, 403, 403, 302, 403, 403),
    ),
    "accounts:membership_delete": (
        "post",
        lambda o: {"pk": o.principal_a.pk, "membership_pk": o.principal_a.memberships.get().pk},
        expect(302, 403, 403, 302, 404, 403, 403, 302, 403, 403),
    ),
    "strategy:strategy_list": ("get", lambda o: {}, expect(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "strategy:strategy_import": ("get", lambda o: {}, expect(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    "strategy:strategy_detail": (
        "get",
        lambda o: {"pk": o.strategy.pk},
        expect(302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    "strategy:strategy_export": (
        "get",
        lambda o: {"pk": o.strategy.pk},
        expect(302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    "strategy:committee_indicators": (
        "get",
        lambda o: {"pk": o.strategy.pk, "committee_pk": o.committee_a.pk},
        expect(302, 404, 404, 200, 404, 200, 200, 200, 404, 404),
    ),
    "strategy:committee_indicator_create": (
        "get",
        lambda o: {"pk": o.strategy.pk, "committee_pk": o.committee_a.pk},
        expect(302, 404, 404, 200, 404, 403, 403, 200, 404, 404),
    ),
    "strategy:committee_indicator_edit": (
        "get",
        lambda o: {"pk": o.strategy.pk, "committee_pk": o.committee_a.pk, "indicator_pk": o.indicator_a.pk},
        expect(302, 404, 404, 200, 404, 403, 403, 200, 404, 404),
    ),
    "followup:cycle_list": ("get", lambda o: {}, expect(302, 403, 403, 200, 200, 200, 200, 200, 200, 403)),
    "followup:cycle_create": ("get", lambda o: {}, expect(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    "followup:cycle_detail": (
        "get",
        lambda o: {"pk": o.cycle.pk},
        expect(302, 403, 403, 200, 200, 200, 200, 200, 200, 403),
    ),
    "followup:cycle_edit": (
        "get",
        lambda o: {"pk": o.cycle.pk},
        expect(302, 403, 403, 403, 403, 403, 403, 200, 403, 403),
    ),
    "followup:assessment_detail": (
        "get",
        lambda o: {"pk": o.assessment_a.pk},
        expect(302, 200, 404, 200, 404, 200, 200, 200, 200, 200),
    ),
    # Only the school's own people write; others who may read are sent to the read-only view.
    "followup:assessment_area": (
        "get",
        lambda o: {"pk": o.assessment_a.pk, "number": 1},
        expect(302, 200, 404, 302, 404, 302, 302, 302, 302, 200),
    ),
    "followup:assessment_from_last_year": (
        "post",
        lambda o: {"pk": o.assessment_a.pk, "number": 1},
        expect(302, 302, 404, 403, 404, 403, 403, 403, 403, 302),
    ),
    "followup:assessment_submit": (
        "get",
        lambda o: {"pk": o.assessment_a.pk},
        expect(302, 200, 404, 403, 404, 403, 403, 403, 403, 200),
    ),
    "followup:assessment_return": (
        "post",
        lambda o: {"pk": o.assessment_a.pk},
        expect(302, 403, 404, 302, 404, 403, 403, 302, 302, 403),
    ),
    "followup:assessment_approve": (
        "post",
        lambda o: {"pk": o.assessment_a.pk},
        expect(302, 403, 404, 302, 404, 403, 403, 302, 302, 403),
    ),
    "followup:assessment_reopen": (
        "post",
        lambda o: {"pk": o.assessment_a.pk},
        expect(302, 403, 404, 302, 404, 403, 403, 302, 302, 403),
    ),
    "followup:assessment_history": (
        "get",
        lambda o: {"pk": o.assessment_a.pk},
        expect(302, 403, 404, 200, 404, 200, 200, 200, 200, 403),
    ),
    "dashboards:assessment_report": (
        "get",
        lambda o: {"pk": o.assessment_a.pk},
        expect(302, 200, 404, 200, 404, 200, 200, 200, 200, 200),
    ),
    "dashboards:assessment_report_pdf": (
        "get",
        lambda o: {"pk": o.assessment_a.pk},
        expect(302, 200, 404, 200, 404, 200, 200, 200, 200, 200),
    ),
    "actionplans:plan_list": ("get", lambda o: {}, expect(302, 403, 403, 200, 200, 200, 200, 200, 403, 403)),
    # The city office makes its own plan for the city goals; committee editors their committee's.
    "actionplans:plan_create": ("get", lambda o: {}, expect(302, 403, 403, 200, 200, 403, 200, 200, 403, 403)),
    "actionplans:plan_detail": (
        "get",
        lambda o: {"pk": o.plan_a.pk},
        expect(302, 404, 404, 200, 404, 200, 200, 200, 404, 404),
    ),
    "actionplans:plan_edit": (
        "get",
        lambda o: {"pk": o.plan_a.pk},
        expect(302, 404, 404, 200, 404, 403, 403, 403, 404, 404),
    ),
    "actionplans:action_create": (
        "get",
        lambda o: {"pk": o.plan_a.pk},
        expect(302, 404, 404, 200, 404, 403, 403, 403, 404, 404),
    ),
    "actionplans:action_edit": (
        "get",
        lambda o: {"pk": o.plan_a.pk, "action_pk": o.action_a.pk},
        expect(302, 404, 404, 200, 404, 403, 403, 403, 404, 404),
    ),
    "actionplans:report_edit": (
        "get",
        lambda o: {"pk": o.plan_a.pk, "period_pk": o.period.pk},
        expect(302, 404, 404, 200, 404, 200, 200, 200, 404, 404),
    ),
    "actionplans:report_reopen": (
        "post",
        lambda o: {"pk": o.plan_a.pk, "period_pk": o.period.pk},
        expect(302, 404, 404, 403, 404, 403, 403, 302, 404, 404),
    ),
    "actionplans:report_submit": (
        "post",
        lambda o: {"pk": o.plan_a.pk, "period_pk": o.period.pk},
        expect(302, 404, 404, 302, 404, 403, 403, 403, 404, 404),
    ),
    "actionplans:report_return": (
        "post",
        lambda o: {"pk": o.plan_a.pk, "period_pk": o.period.pk},
        expect(302, 404, 404, 403, 404, 403, 403, 302, 404, 404),
    ),
    "actionplans:report_approve": (
        "post",
        lambda o: {"pk": o.plan_a.pk, "period_pk": o.period.pk},
        expect(302, 404, 404, 403, 404, 403, 403, 302, 404, 404),
    ),
    "actionplans:plan_history": (
        "get",
        lambda o: {"pk": o.plan_a.pk},
        expect(302, 404, 404, 200, 404, 200, 200, 200, 404, 404),
    ),
    "actionplans:plan_export_xlsx": (
        "get",
        lambda o: {"pk": o.plan_a.pk},
        expect(302, 404, 404, 200, 404, 200, 200, 200, 404, 404),
    ),
    "actionplans:plan_export_pdf": (
        "get",
        lambda o: {"pk": o.plan_a.pk},
        expect(302, 404, 404, 200, 404, 200, 200, 200, 404, 404),
    ),
    "followup:remind_now": (
        "post",
        lambda o: {"pk": o.cycle.pk},
        expect(302, 403, 403, 302, 302, 403, 403, 302, 403, 403),
    ),
    "followup:reminder_log": (
        "get",
        lambda o: {"pk": o.cycle.pk},
        expect(302, 403, 403, 200, 200, 200, 200, 200, 403, 403),
    ),
    "actionplans:period_list": ("get", lambda o: {}, expect(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    "actionplans:period_detail": (
        "get",
        lambda o: {"period_pk": o.period.pk},
        expect(302, 403, 403, 403, 403, 403, 200, 200, 403, 403),
    ),
    # Dashboards: the city office everywhere, committee staff their own committee (a query string names the place).
    "dashboards:dashboard": (
        "get",
        lambda o: {"?": f"committee={o.committee_a.pk}"},
        expect(302, 403, 403, 200, 404, 200, 200, 200, 403, 403),
    ),
    "dashboards:dashboard_csv": (
        "get",
        lambda o: {"key": "maturity", "?": f"school={o.school_a.pk}"},
        expect(302, 403, 403, 200, 404, 200, 200, 200, 403, 403),
    ),
    # The executive board's yearly report covers every committee: the city office's.
    "dashboards:report_list": ("get", lambda o: {}, expect(302, 403, 403, 403, 403, 403, 200, 200, 403, 403)),
    "dashboards:board_report": (
        "get",
        lambda o: {"year": o.yearly_report.cycle.year},
        expect(302, 403, 403, 403, 403, 403, 200, 200, 403, 403),
    ),
    "dashboards:board_report_status": (
        "post",
        lambda o: {"year": o.yearly_report.cycle.year},
        expect(302, 403, 403, 403, 403, 403, 302, 302, 403, 403),
    ),
    "dashboards:board_report_history": (
        "get",
        lambda o: {"year": o.yearly_report.cycle.year},
        expect(302, 403, 403, 403, 403, 403, 200, 200, 403, 403),
    ),
    "dashboards:report_archival_pdf": (
        "get",
        lambda o: {"pk": o.yearly_report.pk},
        expect(302, 404, 404, 404, 404, 404, 200, 200, 404, 404),
    ),
    "dashboards:report_docx": (
        "get",
        lambda o: {"pk": o.yearly_report.pk},
        expect(302, 404, 404, 404, 404, 404, 200, 200, 404, 404),
    ),
    "dashboards:report_detail": (
        "get",
        lambda o: {"pk": o.yearly_report.pk},
        expect(302, 404, 404, 404, 404, 404, 200, 200, 404, 404),
    ),
    "dashboards:report_restart": (
        "post",
        lambda o: {"pk": o.yearly_report.pk},
        expect(302, 403, 403, 403, 403, 403, 302, 302, 403, 403),
    ),
    "dashboards:report_xlsx": (
        "get",
        lambda o: {"pk": o.yearly_report.pk},
        expect(302, 404, 404, 404, 404, 404, 200, 200, 404, 404),
    ),
    "dashboards:report_pdf": (
        "get",
        lambda o: {"pk": o.yearly_report.pk},
        expect(302, 404, 404, 404, 404, 404, 200, 200, 404, 404),
    ),
    "dashboards:quote_toggle": (
        "post",
        lambda o: {"pk": o.assessment_a.pk, "number": 1},
        expect(302, 403, 404, 302, 404, 403, 302, 302, 302, 403),
    ),
}


@pytest.fixture
def school_people(org):
    """School A's head of schools and school staff, beside the org's people."""
    from accounts.models import Role
    from tests.factories import member

    org.head_a = member(Role.HEAD_OF_SCHOOLS, school=org.school_a, email="skolchef.a@example.se")
    org.staff_a = member(Role.SCHOOL_STAFF, school=org.school_a, email="personal.a@example.se")
    return org


@pytest.fixture
def yearly_report(org, cycle_a, settings, tmp_path):
    """A finished yearly report with both files, and an answer of school A that can be quoted."""
    from django.core.files.base import ContentFile

    from dashboards.models import ReportStatus, YearlyReport
    from followup.models import AreaAnswer

    settings.MEDIA_ROOT = tmp_path
    report = YearlyReport(cycle=cycle_a, requested_by=org.analyst, status=ReportStatus.DONE, progress=100)
    report.xlsx.save("arsrapport.xlsx", ContentFile(b"xlsx"), save=False)
    report.pdf.save("arsrapport.pdf", ContentFile(b"%PDF"), save=False)
    report.archival_pdf.save("arsrapport-pdfa.pdf", ContentFile(b"%PDF"), save=False)
    report.docx.save("arsrapport.docx", ContentFile(b"PK"), save=False)
    report.save()
    AreaAnswer.objects.create(assessment=org.assessment_a, area=cycle_a.areas.get(number=1), level=2, done="Nät")
    org.yearly_report = report
    return report


# The Django admin checks staff status itself; its index stands for all its pages.
EXCLUDED_NAMESPACES = {"admin"}


def _all_url_names(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner in EXCLUDED_NAMESPACES:
                continue
            yield from _all_url_names(
                pattern, f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else inner
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_pattern_is_in_the_table():
    missing = sorted(set(_all_url_names()) - set(TABLE))
    assert not missing, f"URLs without a row in the permission table: {missing}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", list(TABLE))
def test_each_kind_of_user_gets_the_expected_status(
    client, school_people, org, cycle_a, plan_a, yearly_report, url_name, persona
):
    method, kwargs, expected = TABLE[url_name]
    if persona != "anonymous":
        client.force_login(getattr(org, persona))
    kwargs = kwargs(org)
    query = kwargs.pop("?", "")
    url = reverse(url_name, kwargs=kwargs) + (f"?{query}" if query else "")
    response = getattr(client, method)(url)
    assert response.status_code == expected[persona], f"{persona} {method.upper()} {url}"


# --- Separation of duties -------------------------------------------------------
#
# Nobody approves or returns a self-assessment they wrote in (any version of an
# answer) or handed in. The reviewer is committee A's editor, who here also holds
# a role at school A (as if a city admin had given it).

from accounts.models import Membership, Role  # noqa: E402
from followup import services  # noqa: E402
from followup.models import AssessmentStatus  # noqa: E402
from tests.followup.test_services import fill_in  # noqa: E402


def _also_at_school(org, role):
    Membership.objects.create(user=org.editor_a, role=role, school=org.school_a)


def _editor_wrote_principal_submitted(org, assessment):
    _also_at_school(org, Role.SCHOOL_STAFF)
    fill_in(assessment, org.editor_a, levels=(3,))
    services.assessment_submit(assessment=assessment, user=org.principal_a)


def _editor_wrote_and_submitted(org, assessment):
    _also_at_school(org, Role.PRINCIPAL)
    fill_in(assessment, org.editor_a, levels=(3,))
    services.assessment_submit(assessment=assessment, user=org.editor_a)


def _editor_submitted_an_earlier_round(org, assessment):
    _also_at_school(org, Role.PRINCIPAL)
    fill_in(assessment, org.principal_a, levels=(3,))
    services.assessment_submit(assessment=assessment, user=org.editor_a)
    services.assessment_return(assessment=assessment, user=org.admin, reason="Komplettera.")
    services.assessment_submit(assessment=assessment, user=org.principal_a)


def _principal_wrote_and_submitted(org, assessment):
    fill_in(assessment, org.principal_a, levels=(3,))
    services.assessment_submit(assessment=assessment, user=org.principal_a)


# what happened before: may committee A's editor approve / return?
SEPARATION_TABLE = {
    "editor wrote an answer, the principal submitted": (_editor_wrote_principal_submitted, False),
    "editor wrote and submitted": (_editor_wrote_and_submitted, False),
    "editor submitted an earlier round, the principal the latest": (_editor_submitted_an_earlier_round, False),
    "the principal wrote and submitted": (_principal_wrote_and_submitted, True),
}


@pytest.mark.parametrize("action", ["approve", "return"])
@pytest.mark.parametrize("case", list(SEPARATION_TABLE))
def test_nobody_approves_or_returns_what_they_wrote_or_submitted(client, org, cycle_a, case, action):
    before, allowed = SEPARATION_TABLE[case]
    assessment = org.assessment_a
    before(org, assessment)
    client.force_login(org.editor_a)
    page = client.get(reverse("followup:assessment_detail", args=[assessment.pk]))
    assert (reverse(f"followup:assessment_{action}", args=[assessment.pk]) in page.content.decode()) is allowed

    response = client.post(
        reverse(f"followup:assessment_{action}", args=[assessment.pk]),
        {"reason": "Saknas.", "comment": ""},
        follow=True,
    )
    assessment.refresh_from_db()
    if allowed:
        expected = AssessmentStatus.APPROVED if action == "approve" else AssessmentStatus.RETURNED
        assert assessment.status == expected
        assert assessment.reviewed_by == org.editor_a
    else:
        assert assessment.status == AssessmentStatus.SUBMITTED
        assert assessment.reviewed_by != org.editor_a
        assert "någon annan måste godkänna eller returnera den" in response.content.decode()


def test_the_service_refuses_self_approval_whoever_calls_it(org, cycle_a):
    _editor_wrote_and_submitted(org, org.assessment_a)
    with pytest.raises(PermissionDenied):
        services.assessment_approve(assessment=org.assessment_a, user=org.editor_a)
    services.assessment_approve(assessment=org.assessment_a, user=org.admin)
    org.assessment_a.refresh_from_db()
    assert org.assessment_a.status == AssessmentStatus.APPROVED


def test_a_committee_editor_cannot_give_themselves_a_role(client, org):
    client.force_login(org.editor_a)
    invited = client.post(
        reverse("accounts:user_invite"),
        {
            "email": org.editor_a.email.upper(),
            "first_name": "Jag",
            "last_name": "Själv",
            "role": Role.PRINCIPAL,
            "school": org.school_a.pk,
        },
    )
    assert invited.status_code == 200
    assert "Du kan inte ge dig själv en roll" in invited.content.decode()
    given = client.post(
        reverse("accounts:user_detail", args=[org.editor_a.pk]),
        {"role": Role.COMMITTEE_READER, "committee": org.committee_a.pk},
    )
    assert given.status_code == 200
    assert "Du kan inte ge dig själv en roll" in given.content.decode()
    assert list(org.editor_a.memberships.values_list("role", flat=True)) == [Role.COMMITTEE_EDITOR]


def test_the_city_admin_may_still_give_themselves_a_role(client, org):
    client.force_login(org.admin)
    response = client.post(reverse("accounts:user_detail", args=[org.admin.pk]), {"role": Role.CITY_ANALYST})
    assert response.status_code == 302
    assert org.admin.memberships.filter(role=Role.CITY_ANALYST).exists()


def test_inviting_an_existing_user_shows_only_the_roles_inside_the_inviters_committee(client, org):
    Membership.objects.create(user=org.principal_b, role=Role.COMMITTEE_READER, committee=org.committee_b)
    client.force_login(org.editor_a)
    response = client.post(
        reverse("accounts:user_invite"),
        {
            "email": org.principal_b.email,
            "first_name": "X",
            "last_name": "Y",
            "role": Role.COMMITTEE_READER,
            "committee": org.committee_a.pk,
        },
        follow=True,
    )
    content = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("accounts:user_detail", args=[org.principal_b.pk])
    assert "Nämnd A" in content
    assert "Skola B" not in content
    assert "Nämnd B" not in content
    listing = client.get(reverse("accounts:user_list")).content.decode()
    assert org.principal_b.email in listing
    assert "Skola B" not in listing
    assert "Nämnd B" not in listing
