"""One demo user for each kind of user, all with the same password."""

from accounts.models import Membership, Role, User
from schools.models import Committee, School

PASSWORD = "demo"  # noqa: S105 - printed for everyone to use in the local demo

# email, name, role, committee code, unit codes, what the user sees
USERS = [
    ("admin@demostad.se", ("Alva", "Admin"), Role.CITY_ADMIN, None, [], "city admin, also Django admin"),
    ("analytiker@demostad.se", ("Anders", "Analytiker"), Role.CITY_ANALYST, None, [], "city office analyst"),
    ("namnd@demostad.se", ("Nora", "Nämndsson"), Role.COMMITTEE_EDITOR, "SDN-NORR", [], "committee editor, Norra"),
    ("lasare@demostad.se", ("Lars", "Läsare"), Role.COMMITTEE_READER, "SDN-NORR", [], "committee reader, Norra"),
    (
        "skolchef@demostad.se",
        ("Sara", "Skolchef"),
        Role.HEAD_OF_SCHOOLS,
        None,
        ["10000003", "10000004", "10000005"],
        "head of schools, three Norra schools",
    ),
    ("rektor@demostad.se", ("Rut", "Rektor"), Role.PRINCIPAL, None, ["10000003"], "principal, Norrskolan"),
    ("personal@demostad.se", ("Per", "Personal"), Role.SCHOOL_STAFF, None, ["10000003"], "school staff, Norrskolan"),
    (
        "rektor.hagaskolan@demostad.se",
        ("Hanna", "Hagberg"),
        Role.PRINCIPAL,
        None,
        ["10000007"],
        "principal, Hagaskolan",
    ),
]


def build() -> list[tuple[str, str]]:
    """Create or reset the demo users; returns (email, description) to print."""
    printed = []
    for email, (first, last), role, committee_code, unit_codes, description in USERS:
        user = User.objects.filter(email=email).first() or User(email=email)
        user.first_name, user.last_name = first, last
        user.is_staff = user.is_superuser = role == Role.CITY_ADMIN
        user.set_password(PASSWORD)
        user.save()
        if committee_code:
            committee = Committee.objects.get(code=committee_code)
            Membership.objects.get_or_create(user=user, role=role, committee=committee)
        elif unit_codes:
            for school in School.objects.filter(unit_code__in=unit_codes):
                Membership.objects.get_or_create(user=user, role=role, school=school)
        else:
            Membership.objects.get_or_create(user=user, role=role, committee=None, school=None)
        printed.append((email, description))
    return printed
