"""The one place that decides who may see and change what.

Reading: every lookup of a committee or school starts from
`visible_committees(user)` / `visible_schools(user)`; every lookup of what
belongs to them (a strategy, assessment, plan, reminder, summary or report)
passes the owning app's queryset through the matching `visible_*(user, queryset)`
here, so an object outside the user's reach is a 404 that does not confirm it
exists. The rules stay in this module while the models stay in their apps:
this module imports only the organisation (accounts and schools).
Acting: the `can_*` predicates say whether a role is high enough; views turn a
no into 403 with `require()`.
"""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import COMMITTEE_ROLES, SCHOOL_ROLES, Membership, Role, User
from schools.models import Committee, School


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


class SeparationOfDuties(PermissionDenied):
    """Refused because the user would check their own work; the message says so."""


# How long a user's roles stay cached. A change of role is seen at once (the key holds the
# version on the user row); this bounds only how long a renamed committee or school keeps
# its old name in the navigation.
ROLES_TIMEOUT = 60


def memberships(user) -> list[Membership]:
    """The user's roles with their committees and schools: from the cache under the user's
    `roles_version`, read from the database at most once per request otherwise."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_portal_memberships", None)
    if cached is None:
        key = f"roles:{user.pk}:{user.roles_version}"
        cached = cache.get(key)
        if cached is None:
            cached = list(user.memberships.select_related("committee", "school"))
            cache.set(key, cached, ROLES_TIMEOUT)
        user._portal_memberships = cached
    return cached


def roles(user) -> set[str]:
    return {m.role for m in memberships(user)}


def is_city_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or Role.CITY_ADMIN in roles(user))


def is_city_staff(user) -> bool:
    """City office: reads everything in the city."""
    return is_city_admin(user) or Role.CITY_ANALYST in roles(user)


def committee_ids(user, *, only: frozenset = COMMITTEE_ROLES) -> set[int]:
    return {m.committee_id for m in memberships(user) if m.role in only}


def editor_committee_ids(user) -> set[int]:
    """Committees where the user is an editor: who may change a committee's things."""
    return committee_ids(user, only=frozenset({Role.COMMITTEE_EDITOR}))


def school_ids(user) -> set[int]:
    return {m.school_id for m in memberships(user) if m.role in SCHOOL_ROLES}


# --- Reading ----------------------------------------------------------------


def visible_committees(user) -> QuerySet[Committee]:
    if is_city_staff(user):
        return Committee.objects.all()
    return Committee.objects.filter(pk__in=committee_ids(user))


def visible_schools(user) -> QuerySet[School]:
    if is_city_staff(user):
        return School.objects.all()
    return School.objects.filter(Q(committee_id__in=committee_ids(user)) | Q(pk__in=school_ids(user)))


def get_committee_for_user(user, pk: int) -> Committee:
    """A committee the user sees. Committee staff's own committees come with their roles
    (`memberships`), without a query of their own."""
    if not is_city_staff(user):
        for m in memberships(user):
            if m.committee_id == pk and m.role in COMMITTEE_ROLES:
                return m.committee
    return get_object_or_404(visible_committees(user), pk=pk)


def get_school_for_user(user, pk: int, *, assessments: QuerySet | None = None) -> School:
    """A school the user sees; with `assessments` (of one follow-up), also one
    whose assessment there the user sees (a school that was the user's committee's then),
    read with `recorded_committee_id`: the committee its assessment there records (None without one)."""
    schools = visible_schools(user)
    if assessments is not None:
        if not is_city_staff(user):
            schools = School.objects.filter(
                Q(pk__in=schools.values("pk")) | Q(pk__in=visible_assessments(user, assessments).values("school_id"))
            )
        schools = schools.annotate(
            recorded_committee_id=Subquery(assessments.filter(school=OuterRef("pk")).values("committee_id")[:1])
        )
    return get_object_or_404(schools.select_related("committee"), pk=pk)


# --- Acting -----------------------------------------------------------------


def can_view_organisation(user) -> bool:
    """The organisation overview is for the city office and committee staff."""
    return is_city_staff(user) or bool(committee_ids(user))


def can_change_organisation(user) -> bool:
    """Import committees and schools, edit a school's attributes, close it."""
    return is_city_admin(user)


def can_manage_users(user) -> bool:
    return is_city_admin(user) or bool(editor_committee_ids(user))


def manageable_users(user) -> QuerySet[User]:
    """Users whose roles `user` may see and change: all for the city admin, for
    a committee editor those holding a role in the editor's committees."""
    if is_city_admin(user):
        return User.objects.all()
    editor_of = editor_committee_ids(user)
    if not editor_of:
        return User.objects.none()
    holders = Membership.objects.filter(Q(committee_id__in=editor_of) | Q(school__committee_id__in=editor_of)).values(
        "user_id"
    )
    return User.objects.filter(pk__in=holders)


def can_unlock_login(user) -> bool:
    """Unlock an account locked out after failed logins: the city admin."""
    return is_city_admin(user)


def get_managed_user(user, pk: int) -> User:
    return get_object_or_404(manageable_users(user), pk=pk)


def grantable_roles(user) -> list[Role]:
    if is_city_admin(user):
        return list(Role)
    if can_manage_users(user):
        return [r for r in Role if r in COMMITTEE_ROLES or r in SCHOOL_ROLES]
    return []


def can_grant(user, *, role: str, committee: Committee | None, school: School | None, to: User | None = None) -> bool:
    """Whether `user` may give (or take) this role at this place, to `to` when
    known. Only the city admin gives themselves a role: a committee editor who
    could would approve their own school's self-assessment."""
    if is_city_admin(user):
        return True
    if to is not None and to.pk == user.pk:
        return False
    editor_of = editor_committee_ids(user)
    if role in COMMITTEE_ROLES:
        return committee is not None and committee.pk in editor_of
    if role in SCHOOL_ROLES:
        return school is not None and school.committee_id in editor_of
    return False


def visible_memberships(user, person: User) -> list[Membership]:
    """The roles of `person` that `user` may see: all for the city admin, for a
    committee editor only those in the editor's committees and their schools
    (another committee's roles are not the editor's business)."""
    held = person.memberships.all()
    if is_city_admin(user):
        return list(held)
    editor_of = editor_committee_ids(user)
    return [
        m
        for m in held
        if (m.committee_id in editor_of) or (m.school_id is not None and m.school.committee_id in editor_of)
    ]


def visible_membership_history(user, person: User) -> QuerySet:
    """Who gave and took which of `person`'s roles, within the same reach as `visible_memberships`."""
    history = Membership.history.filter(user_id=person.pk)
    if is_city_admin(user):
        return history
    editor_of = editor_committee_ids(user)
    return history.filter(Q(committee_id__in=editor_of) | Q(school__committee_id__in=editor_of))


def can_revoke(user, membership: Membership) -> bool:
    return can_grant(user, role=membership.role, committee=membership.committee, school=membership.school)


# --- Strategies -------------------------------------------------------------


def visible_strategies(user, strategies: QuerySet) -> QuerySet:
    """Everyone logged in reads adopted and archived strategies; drafts are the city office's."""
    if is_city_staff(user):
        return strategies
    return strategies.published()


def visible_indicators(user, indicators: QuerySet) -> QuerySet:
    """City-wide indicators for everyone; a committee's own to those who see the
    committee, and to its schools' people, who report them."""
    if is_city_staff(user):
        return indicators
    school_committees = {m.school.committee_id for m in memberships(user) if m.role in SCHOOL_ROLES}
    return indicators.filter(Q(owner__isnull=True) | Q(owner_id__in=committee_ids(user) | school_committees))


def can_import_strategy(user) -> bool:
    return is_city_admin(user)


def can_edit_committee_indicators(user, committee: Committee) -> bool:
    """A committee's own indicators and targets: its editors and the city admin."""
    return is_city_admin(user) or committee.pk in editor_committee_ids(user)


# --- Follow-up ----------------------------------------------------------------


def _roles_at_school(user, school: School) -> set[str]:
    return {m.role for m in memberships(user) if m.school_id == school.pk}


def visible_assessments(user, assessments: QuerySet) -> QuerySet:
    """Self-assessments the user sees: committee staff those their committees
    had in that follow-up (the committee recorded on the assessment, so a school
    moved away stays theirs in the years it was theirs, and a school moved in is
    theirs from the follow-up it moved in during); a school's people all of their
    school's."""
    if is_city_staff(user):
        return assessments
    return assessments.filter(Q(committee_id__in=committee_ids(user)) | Q(school_id__in=school_ids(user)))


def can_view_cycles(user) -> bool:
    """The list of follow-ups and who has handed in: the city office, committees, heads of schools."""
    return can_view_organisation(user) or any(m.role == Role.HEAD_OF_SCHOOLS for m in memberships(user))


def can_open_cycle(user) -> bool:
    return is_city_admin(user)


def can_edit_assessment(user, assessment) -> bool:
    """Write the school's answers: its principal and school staff."""
    return bool(_roles_at_school(user, assessment.school) & {Role.PRINCIPAL, Role.SCHOOL_STAFF})


def can_submit_assessment(user, assessment) -> bool:
    return Role.PRINCIPAL in _roles_at_school(user, assessment.school)


def can_review_assessment(user, assessment) -> bool:
    """Return, approve and reopen: the committee's editors, the school's head of schools, the city admin."""
    return (
        is_city_admin(user)
        or assessment.committee_id in editor_committee_ids(user)
        or Role.HEAD_OF_SCHOOLS in _roles_at_school(user, assessment.school)
    )


def has_worked_on_assessment(user, assessment) -> bool:
    """Whether the user wrote any version of an answer in the assessment, or
    handed it in (now or in any earlier submission). The answers' history is
    reached through the assessment, so this module imports no follow-up models."""
    answer_history = (assessment.area_answers.model.history, assessment.indicator_answers.model.history)
    return (
        assessment.submitted_by_id == user.pk
        or assessment.history.filter(submitted_by_id=user.pk).exists()
        or any(h.filter(assessment_id=assessment.pk, history_user_id=user.pk).exists() for h in answer_history)
    )


def can_judge_assessment(user, assessment) -> bool:
    """Approve or return: a reviewer who has neither written in nor handed in this assessment."""
    return can_review_assessment(user, assessment) and not has_worked_on_assessment(user, assessment)


def require_independent_reviewer(user, assessment) -> None:
    """Nobody approves or returns a self-assessment they wrote in or handed in."""
    if has_worked_on_assessment(user, assessment):
        raise SeparationOfDuties(
            _("You have written in or handed in this self-assessment, so someone else has to approve or return it.")
        )


def can_view_history(user, assessment) -> bool:
    """Who changed what: the committee (and head of schools) and the city office."""
    return (
        is_city_staff(user)
        or assessment.committee_id in committee_ids(user)
        or Role.HEAD_OF_SCHOOLS in _roles_at_school(user, assessment.school)
    )


# --- Action plans -------------------------------------------------------------


def visible_plans(user, plans: QuerySet) -> QuerySet:
    """The city office reads every plan; committee staff their own committee's
    and the city office's plan for the city's goals, which their work follows."""
    if is_city_staff(user):
        return plans
    committees = committee_ids(user)
    if not committees:
        return plans.none()
    return plans.filter(Q(committee_id__in=committees) | Q(committee__isnull=True))


def can_view_plans(user) -> bool:
    return can_view_organisation(user)


def plan_committees(user) -> QuerySet[Committee]:
    """Committees whose plans and reports the user may change: where they are editors."""
    return Committee.objects.filter(pk__in=editor_committee_ids(user))


def can_edit_plan(user, plan) -> bool:
    """Only the committee's own editors change its plan and reports; the city
    office its own plan for the city's goals."""
    if plan.committee_id is None:
        return is_city_staff(user)
    return plan.committee_id in editor_committee_ids(user)


def can_create_city_plan(user) -> bool:
    """The city office keeps a plan for the city-level goals."""
    return is_city_staff(user)


def can_view_period_overview(user) -> bool:
    """Who has reported for a period, every committee: the city office."""
    return is_city_staff(user)


def can_manage_periods(user) -> bool:
    """Set up report periods and reopen a committee's report after the deadline: the city office."""
    return is_city_admin(user)


# --- Reminders ------------------------------------------------------------------


def can_remind_now(user) -> bool:
    """Send reminders by hand: committee editors to their late schools, the city admin to everyone late."""
    return is_city_admin(user) or bool(editor_committee_ids(user))


def remindable_assessments(user, assessments: QuerySet) -> QuerySet:
    """Whose schools the user may remind: every school for the city admin, an editor's committee's."""
    if is_city_admin(user):
        return assessments
    return assessments.filter(committee_id__in=editor_committee_ids(user))


def visible_reminders(user, reminders: QuerySet) -> QuerySet:
    """The sent-log: the city office sees all; committee staff their committee's."""
    if is_city_staff(user):
        return reminders
    return reminders.filter(committee_id__in=committee_ids(user))


# --- Dashboards and the yearly report --------------------------------------------


def can_view_dashboards(user) -> bool:
    """The city office sees the whole city; committee staff their own committees."""
    return can_view_organisation(user)


def can_view_school_dashboard(user, school: School, *, committee_id: int | None = None) -> bool:
    """A school's dashboard compares it with its committee of that follow-up
    (`committee_id`; its committee now when not followed up): for those who see that committee."""
    return is_city_staff(user) or (committee_id or school.committee_id) in committee_ids(user)


def can_view_city_dashboard(user) -> bool:
    return is_city_staff(user)


def dashboard_committee_choices(user, scope) -> list[tuple[int, str]]:
    """The committees a dashboard's filter offers: every committee followed up that
    year for the city office, their own for committee staff (read without a query)."""
    if is_city_staff(user):
        return [tuple(c) for c in scope.meta.get("committees", [])]
    return sorted(
        {(m.committee_id, m.committee.name) for m in memberships(user) if m.committee_id and m.role in COMMITTEE_ROLES},
        key=lambda c: c[1],
    )


def visible_summaries(user, rollups: QuerySet) -> QuerySet | None:
    """The dashboards' summaries of everything the user sees (all school forms and bands):
    the city's for the city office, their committees' for committee staff; None for
    users who see single school units, whose figures are counted directly."""
    key_for = rollups.model.key_for
    if is_city_staff(user):
        return rollups.filter(key=key_for(None))
    if committee_ids(user) and not school_ids(user):
        return rollups.filter(key__in=[key_for(pk) for pk in committee_ids(user)])
    return None


def can_build_yearly_report(user) -> bool:
    """The executive board's report covers every committee: the city office's."""
    return is_city_staff(user)


def visible_yearly_reports(user, reports: QuerySet) -> QuerySet:
    if is_city_staff(user):
        return reports
    return reports.none()


def can_choose_quotes(user, assessment) -> bool:
    """Choose answers to quote in the yearly report: those who review the assessment, and the analysts."""
    return can_review_assessment(user, assessment) or is_city_staff(user)
