"""The settings, .env.example and docker-compose.yml stay in step."""

import re
from pathlib import Path

import polib
import yaml

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"""env(?:_bool|_int|_url|\.str|\.list)\(\s*"([A-Z_]+)\"""")


def variables_read_by_settings() -> set[str]:
    return set(READ.findall((ROOT / "config" / "settings.py").read_text()))


def variables_in_env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_every_variable_the_settings_read_is_documented_in_env_example():
    missing = variables_read_by_settings() - variables_in_env_example()
    assert not missing, f"Add to .env.example: {sorted(missing)}"


def test_compose_passes_only_variables_the_settings_know():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    portal_env = set(compose["x-portal"]["environment"])
    assert portal_env - variables_read_by_settings() == set()
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(compose["services"])
    for name, service in compose["services"].items():
        assert "healthcheck" in service, f"{name} has no health check"


def test_the_swedish_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"))
    mo = polib.mofile(str(ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.mo"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    compiled = {(e.msgid, e.msgstr or tuple(sorted(e.msgstr_plural.items()))) for e in mo if e.msgid}
    source = {(e.msgid, e.msgstr or tuple(sorted(e.msgstr_plural.items()))) for e in po if not e.obsolete}
    assert source == compiled, "Run: python manage.py compilemessages -l sv --ignore=.venv"


def test_every_visible_string_in_the_code_is_in_the_swedish_catalogue(tmp_path):
    """makemessages on a copy of the code finds no msgid the catalogue lacks."""
    import shutil
    import subprocess
    import sys

    from django.conf import settings

    for name in ("manage.py", "config", *settings.LOCAL_APPS, "templates", "locale"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy(source, tmp_path / name)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-obsolete", "--no-location"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    extracted = {e.msgid for e in polib.pofile(str(tmp_path / "locale/sv/LC_MESSAGES/django.po"))}
    catalogue = {e.msgid for e in polib.pofile(str(ROOT / "locale/sv/LC_MESSAGES/django.po")) if not e.obsolete}
    assert extracted - catalogue == set(), "Run makemessages -l sv and translate the new strings"


def test_the_models_and_the_migrations_agree(db):
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
