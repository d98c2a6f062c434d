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

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core import events
from schools.models import Committee, OrganisationUpload, School
from schools.org_checks import ImportPlan, plan_rows
from schools.org_files import read_rows, refuse_too_large


class ImportOutOfDate(Exception):
    """The checked upload a confirmation names is gone (imported, expired, not
    the user's) or the organisation has changed since it was checked."""


# --- Checking ---------------------------------------------------------------


def organisation_import_plan(*, filename: str, content: bytes) -> ImportPlan:
    """Read and check a whole file; nothing is written."""
    return plan_rows(read_rows(filename=filename, content=content))


def organisation_import_check(*, user: User, upload: File) -> tuple[ImportPlan, OrganisationUpload | None]:
    """Check an uploaded file for `user`. A valid file is kept, with its
    checksum, as an upload the user can confirm; uploads past their time are
    removed."""
    refuse_too_large(upload.size)  # before the file is read
    content = upload.read()
    plan = organisation_import_plan(filename=upload.name, content=content)
    OrganisationUpload.objects.expired().delete()
    if not plan.is_valid:
        return plan, None
    staged = OrganisationUpload.objects.create(
        user=user,
        filename=upload.name[:255],
        checksum=hashlib.sha256(content).hexdigest(),
        rows=plan.raw_rows,
        plan_digest=plan.digest,
    )
    return plan, staged


# --- Writing ----------------------------------------------------------------


@transaction.atomic
def organisation_import_apply(*, raw_rows: list[tuple[int, dict[str, str]]]) -> ImportPlan:
    """Check the rows again against the database as it is now and, if they are
    still valid, write them all in one transaction."""
    plan = plan_rows([(line, row) for line, row in raw_rows])
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
    plan = plan_rows([(line, row) for line, row in staged.rows])
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
            values={k: values[k] for k in ("name", "committee_id", "pupil_count", "ses_band", "is_active")},
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
