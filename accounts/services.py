import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import mails
from accounts.models import (
    BY_IDENTITY_PROVIDER,
    ExternalIdentity,
    Membership,
    MembershipSource,
    RoleMapping,
    User,
)
from schools.models import Committee, School

logger = logging.getLogger(__name__)

# A role at a place: (role, committee id, school id).
Grant = tuple[str, int | None, int | None]


@transaction.atomic
def user_invite(
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    committee: Committee | None,
    school: School | None,
    invited_by: User,
) -> User:
    """Give a role to the person with this email, creating the user if new.

    A new user gets no password; the invitation email carries a link to choose
    one through the password reset flow (or, where password login is turned
    off, points them to the city's identity provider). It is sent after the
    transaction commits, through the outbox, so a failed save sends nothing and
    a broker that is down only delays it.
    """
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=email, password=None, first_name=first_name, last_name=last_name)
    membership_grant(user=user, role=role, committee=committee, school=school, granted_by=invited_by)
    if created or not user.has_usable_password():
        mails.invitation_queue(user=user, invited_by=invited_by)
    return user


def _record_actor(membership: Membership, actor: User | None) -> None:
    """Say who makes the next change in the membership history: a person, or
    (with no person) the identity provider."""
    membership._history_user = actor
    if actor is None:
        membership._change_reason = BY_IDENTITY_PROVIDER


@transaction.atomic
def membership_grant(
    *, user: User, role: str, committee: Committee | None, school: School | None, granted_by: User
) -> Membership:
    """Give a role by hand. A role the identity provider gave becomes one given
    by hand, so that later sign-ins leave it in place."""
    membership = Membership.objects.filter(user=user, role=role, committee=committee, school=school).first()
    if membership is not None:
        if membership.source != MembershipSource.MANUAL:
            membership.source = MembershipSource.MANUAL
            _record_actor(membership, granted_by)
            membership.save(update_fields=["source"])
        return membership
    membership = Membership(
        user=user, role=role, committee=committee, school=school, created_by=granted_by, source=MembershipSource.MANUAL
    )
    _record_actor(membership, granted_by)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        # Given at the same moment by someone else.
        return Membership.objects.get(user=user, role=role, committee=committee, school=school)
    return membership


def membership_revoke(*, membership: Membership, revoked_by: User | None) -> None:
    """Take a role away; `revoked_by` None means the identity provider stopped sending it."""
    _record_actor(membership, revoked_by)
    membership.delete()


@dataclass(frozen=True)
class ProviderAssertion:
    """What the identity provider said about a person at sign-in, checked and
    with the attribute names of the settings already applied."""

    provider: str
    subject: str
    email: str
    first_name: str = ""
    last_name: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)


def role_mapping_grants(*, attributes: dict[str, list[str]]) -> set[Grant]:
    """The roles the city admin's role mappings give for these attributes."""
    grants: set[Grant] = set()
    unit_codes = attributes.get(settings.SSO_UNIT_CODE_ATTRIBUTE, [])
    for rule in RoleMapping.objects.matching(attributes):
        if rule.school_from_unit_code:
            school_ids = School.objects.filter(unit_code__in=unit_codes, is_active=True).values_list("pk", flat=True)
            grants.update((rule.role, None, school_id) for school_id in school_ids)
        else:
            grants.add((rule.role, rule.committee_id, rule.school_id))
    return grants


def memberships_sync_from_provider(*, user: User, grants: set[Grant]) -> None:
    """Bring the roles that came from the identity provider in line with what it
    sends now: new ones are given, ones it no longer sends are taken away. Roles
    given by hand stay as they are. Each change is in the membership history."""
    current = {(m.role, m.committee_id, m.school_id): m for m in user.memberships.select_for_update()}
    for key, membership in current.items():
        if membership.source == MembershipSource.IDENTITY_PROVIDER and key not in grants:
            membership_revoke(membership=membership, revoked_by=None)
    for role, committee_id, school_id in sorted(grants - current.keys(), key=str):
        membership = Membership(
            user=user,
            role=role,
            committee_id=committee_id,
            school_id=school_id,
            source=MembershipSource.IDENTITY_PROVIDER,
        )
        _record_actor(membership, None)
        membership.save()


def _update_profile(user: User, assertion: ProviderAssertion) -> None:
    """The provider's e-mail and name replace the portal's; an e-mail another
    account already holds is left alone (and logged) rather than taken."""
    changed = []
    email = assertion.email.strip().lower()
    if email and email != user.email.lower():
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            logger.warning(
                "Identity %s: e-mail %s belongs to another account; kept %s", assertion.subject, email, user.email
            )
        else:
            user.email = email
            changed.append("email")
    for name in ("first_name", "last_name"):
        value = getattr(assertion, name).strip()[:150]
        if value and value != getattr(user, name):
            setattr(user, name, value)
            changed.append(name)
    if changed:
        user.save(update_fields=changed)


@transaction.atomic
def user_sign_in_from_provider(*, assertion: ProviderAssertion) -> User | None:
    """The user the identity provider's checked assertion stands for, with the
    roles the role mappings give brought up to date.

    The person is found by the provider's stable identifier. The first time,
    an account with the same e-mail (one given roles by hand before) is linked
    to the identifier; otherwise an account is created, but only for someone
    the mappings give a role. Returns None when there is nobody to sign in:
    an unknown person without a role, or a deactivated account. The caller
    also refuses a user left without any role.
    """
    grants = role_mapping_grants(attributes=assertion.attributes)
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=assertion.provider, subject=assertion.subject)
        .first()
    )
    if identity is None:
        email = assertion.email.strip().lower()
        user = User.objects.filter(email__iexact=email).first() if email else None
        if user is not None and user.identities.filter(provider=assertion.provider).exists():
            logger.warning("Identity %s: e-mail %s is linked to another identifier", assertion.subject, email)
            return None
        if user is None:
            if not grants or not email:
                return None
            user = User.objects.create_user(
                email=email, password=None, first_name=assertion.first_name[:150], last_name=assertion.last_name[:150]
            )
        identity = ExternalIdentity.objects.create(user=user, provider=assertion.provider, subject=assertion.subject)
    user = identity.user
    if not user.is_active:
        return None
    identity.last_sign_in = timezone.now()
    identity.save(update_fields=["last_sign_in"])
    _update_profile(user, assertion)
    memberships_sync_from_provider(user=user, grants=grants)
    return user
