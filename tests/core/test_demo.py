from django.core.management import call_command

from accounts.models import Membership, Role, User
from schools.models import Committee, School


def test_the_demo_has_committees_schools_of_every_kind_and_one_user_per_role(db, capsys):
    call_command("load_demo")
    output = capsys.readouterr().out
    assert Committee.objects.count() == 4
    assert School.objects.count() == 20
    forms = set(School.objects.values_list("form_offerings__form", flat=True))
    assert len(forms) == 9
    assert {m.role for m in Membership.objects.all()} == set(Role.values)
    for user in User.objects.all():
        assert user.email in output
        assert user.check_password("demo")


def test_loading_the_demo_twice_changes_nothing(db):
    call_command("load_demo")
    counts = (Committee.objects.count(), School.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("load_demo")
    assert (Committee.objects.count(), School.objects.count(), User.objects.count(), Membership.objects.count()) == counts
