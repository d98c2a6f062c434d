"""Import of committees and schools from a CSV or Excel file.

The whole file is checked before anything is written: every bad row is reported
with its line number and reason, and a file with any error writes nothing. A
valid file is applied in one transaction, matched on committee code and unit
code, so importing the same file again changes nothing. The columns are
documented in the README; reading the file is schools/org_files.py, checking its
rows schools/org_checks.py.

A file is refused before it is parsed when it is larger, longer or wider than
the limits in settings (`ORGANISATION_IMPORT_*`). A file checked in the browser
is kept as an `OrganisationUpload` of its user with the file's checksum until it
is imported or expires; the confirmation names that upload, so it imports the
rows that were shown or nothing.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core import events
from schools.models import Committee, OrganisationUpload, School, SchoolForm
from schools.org_checks import ImportPlan, RowError, plan_rows
from schools.org_files import read_rows, refuse_too_large
from schools.register import read_register_file
from schools.register_sync import RegisterRead, register_read
from schools.vocabulary import REGISTER_FIELDS


class ImportOutOfDate(Exception):
    """The checked upload a confirmation names is gone (imported, expired, not
    the user's) or the organisation has changed since it was checked."""


# --- Checking ---------------------------------------------------------------


def is_register_file(filename: str) -> bool:
    """A .json file holds documents of Skolverket's school-unit register."""
    return filename.lower().endswith(".json")


def organisation_import_plan(
    *, filename: str, content: bytes, new_school_committee: Committee | None = None
) -> ImportPlan:
    """Read and check a whole file, a CSV or Excel file or the register's
    documents (schools/register.py); nothing is written. New units of the
    register go to `new_school_committee`."""
    if not is_register_file(filename):
        return plan_rows(read_rows(filename=filename, content=content))
    rows, errors = read_register_file(content=content, municipality_code=settings.CITY_MUNICIPALITY_CODE)
    return organisation_register_plan(rows=rows, errors=errors, new_school_committee=new_school_committee)


def organisation_register_plan(
    *,
    rows: list[tuple[int, dict[str, str]]],
    errors: list[RowError] | None = None,
    new_school_committee: Committee | None = None,
) -> ImportPlan:
    """Check the rows of the register's units, with the problems its reading found first."""
    if rows:
        plan = plan_rows(rows, from_register=True, new_school_committee=new_school_committee)
    else:
        plan = ImportPlan(kind="schools", raw_rows=[])
    plan.errors = sorted([*(errors or []), *plan.errors], key=lambda error: error.line)
    return plan


def organisation_import_check(
    *, user: User, upload: File, new_school_committee: Committee | None = None
) -> tuple[ImportPlan, OrganisationUpload | None]:
    """Check an uploaded file for `user`. A valid file is kept, with its
    checksum, as an upload the user can confirm; uploads past their time are
    removed."""
    refuse_too_large(upload.size)  # before the file is read
    content = upload.read()
    plan = organisation_import_plan(filename=upload.name, content=content, new_school_committee=new_school_committee)
    OrganisationUpload.objects.expired().delete()
    if not plan.is_valid:
        return plan, None
    from_register = is_register_file(upload.name)
    staged = OrganisationUpload.objects.create(
        user=user,
        filename=upload.name[:255],
        checksum=hashlib.sha256(content).hexdigest(),
        rows=plan.raw_rows,
        plan_digest=plan.digest,
        from_register=from_register,
        new_school_committee=new_school_committee if from_register else None,
    )
    return plan, staged


def organisation_register_sync(
    *,
    base_url: str,
    municipality_code: str,
    new_school_committee: Committee | None = None,
    apply: bool = False,
) -> tuple[ImportPlan, RegisterRead, list[School]]:
    """Read the city's units from Skolverket's register and check them as an
    import of the register's file; with `apply` a valid plan is written in one
    transaction. Raises RegisterUnavailable, writing nothing, when the register
    does not answer with its documents. Also returns the portal's active units
    that the register no longer lists (they are not changed)."""
    read = register_read(
        base_url=base_url, municipality_code=municipality_code, timeout=settings.SKOLVERKET_REGISTER_TIMEOUT
    )
    plan = organisation_register_plan(rows=read.rows, errors=read.errors, new_school_committee=new_school_committee)
    if apply and plan.is_valid and read.rows:
        plan = organisation_import_apply(
            raw_rows=plan.raw_rows, from_register=True, new_school_committee=new_school_committee
        )
    candidates = (
        School.objects.active()
        .with_forms()
        .exclude(unit_code__in=read.listed_codes)
        .filter(Q(municipality_code=municipality_code) | Q(municipality_code=""))
        .order_by("unit_code")
    )
    # The register has no preschools: a preschool is never missing from it.
    unlisted = [school for school in candidates if set(school.forms) - {SchoolForm.PRESCHOOL}]
    return plan, read, unlisted


# --- Writing ----------------------------------------------------------------


@transaction.atomic
def organisation_import_apply(
    *,
    raw_rows: list[tuple[int, dict[str, str]]],
    from_register: bool = False,
    new_school_committee: Committee | None = None,
) -> ImportPlan:
    """Check the rows again against the database as it is now and, if they are
    still valid, write them all in one transaction."""
    plan = plan_rows(
        [(line, row) for line, row in raw_rows],
        from_register=from_register,
        new_school_committee=new_school_committee,
    )
    if plan.is_valid:
        _write(plan)
    return plan


@transaction.atomic
def organisation_import_confirm(*, user: User, upload_id: int, checksum: str) -> tuple[OrganisationUpload, ImportPlan]:
    """Import the upload `user` checked, exactly as it was shown, and remove it.

    Raises ImportOutOfDate, writing nothing, when the upload is not the user's
    with that checksum (already imported, expired) or when the file would now
    change other things than the check showed."""
    staged = (
        OrganisationUpload.objects.current()
        .select_for_update()
        .filter(user=user, pk=upload_id, checksum=checksum)
        .first()
    )
    if staged is None:
        raise ImportOutOfDate()
    plan = plan_rows(
        [(line, row) for line, row in staged.rows],
        from_register=staged.from_register,
        new_school_committee=staged.new_school_committee,
    )
    if not plan.is_valid or plan.digest != staged.plan_digest:
        raise ImportOutOfDate()
    _write(plan)
    staged.delete()
    return staged, plan


def _write(plan: ImportPlan) -> None:
    if plan.kind == "committees":
        changed = {c.key.lower() for c in plan.changes if c.action != "unchanged"}
        for values in plan.cleaned:
            if values["code"].lower() in changed:
                Committee.objects.update_or_create(code=values["code"], defaults={"name": values["name"]})
        return
    changed = {c.key for c in plan.changes if c.action != "unchanged"}
    for values in plan.cleaned:
        if values["unit_code"] not in changed:
            continue
        school = School.objects.filter(unit_code=values["unit_code"]).first() or School(unit_code=values["unit_code"])
        school_update(
            school=school,
            values={
                k: values[k] for k in ("name", "committee_id", "pupil_count", "ses_band", "is_active", *REGISTER_FIELDS)
            },
            forms=set(values["forms"]),
        )


@transaction.atomic
def school_update(*, school: School, values: dict, forms: set[str]) -> School:
    """Save a school's attributes; making it inactive closes it today."""
    was_active = school.is_active
    for name, value in values.items():
        setattr(school, name, value)
    if was_active and not school.is_active:
        school.close(on=timezone.localdate())
    elif school.is_active:
        school.reopen()
    school.save()
    school.set_forms(forms)
    # Its committee, band or forms may have changed: the dashboards count it again.
    events.schools_changed.send(sender=School, school_ids=[school.pk])
    return school
