import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from accounts.models import Membership, Role, User
from devtools import demo_accounts as accounts_demo
from schools.models import Committee, School
from tests.core.test_settings import PROJECT_VARIABLES, ROOT

pytestmark = pytest.mark.slow  # loading the whole demo city


def test_the_demo_has_committees_schools_of_every_kind_and_one_user_per_role(db, capsys):
    call_command("load_demo")
    output = capsys.readouterr().out
    assert Committee.objects.count() == 4
    assert School.objects.count() == 20
    forms = set(School.objects.values_list("form_offerings__form", flat=True))
    assert len(forms) == 9
    assert {m.role for m in Membership.objects.all()} == set(Role.values)
    for email, *_ in accounts_demo.USERS:
        assert email in output
        assert User.objects.get(email=email).check_password("demo")


def test_loading_the_demo_twice_changes_nothing(db):
    call_command("load_demo")
    counts = (Committee.objects.count(), School.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("load_demo")
    assert (
        Committee.objects.count(),
        School.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    ) == counts


DEMO_SESSION = """
import django
django.setup()
from django.http import HttpRequest
from django.test import Client
client = Client()
assert client.login(request=HttpRequest(), username="rektor@demostad.se", password="demo")
page = client.get("/", follow=True)
print(page.status_code, page.redirect_chain[-1][0])
print(page.content.decode())
"""


def test_the_demo_runs_on_sqlite_with_eager_tasks_and_no_services(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in PROJECT_VARIABLES}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    for command in (["manage.py", "migrate", "--noinput", "-v0"], ["manage.py", "load_demo"]):
        result = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    assert "rektor@demostad.se" in result.stdout
    session = subprocess.run([sys.executable, "-c", DEMO_SESSION], cwd=ROOT, env=env, capture_output=True, text=True)
    assert session.returncode == 0, session.stderr
    status, *page = session.stdout.splitlines()
    assert status.startswith("200 /assessments/")
    assert "Självvärdering" in "\n".join(page)
    assert "Norrskolan" in "\n".join(page)


def test_bin_demo_refuses_a_port_that_is_not_a_number_before_installing_anything():
    import os
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "bin" / "demo"
    result = subprocess.run(
        [str(script)], env={**os.environ, "PORT": "80a"}, capture_output=True, text=True, timeout=30, check=False
    )

    assert result.returncode == 2
    assert "PORT must be a port number, not '80a'." in result.stderr
    assert "Installing" not in result.stdout
