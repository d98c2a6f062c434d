from django.db import transaction

from accounts import mails
from accounts.models import Membership, User
from schools.models import Committee, School


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
    one through the password reset flow. It is sent after the transaction
    commits, through the outbox, so a failed save sends nothing and a broker
    that is down only delays it.
    """
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=email, password=None, first_name=first_name, last_name=last_name)
    membership_grant(user=user, role=role, committee=committee, school=school, granted_by=invited_by)
    if created or not user.has_usable_password():
        mails.invitation_queue(user=user, invited_by=invited_by)
    return user


def membership_grant(
    *, user: User, role: str, committee: Committee | None, school: School | None, granted_by: User
) -> Membership:
    membership, _created = Membership.objects.get_or_create(
        user=user, role=role, committee=committee, school=school, defaults={"created_by": granted_by}
    )
    return membership


def membership_revoke(*, membership: Membership) -> None:
    membership.delete()
