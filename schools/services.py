"""Import of committees and schools from a CSV or Excel file.

The whole file is checked before anything is written: every bad row is reported
with its line number and reason, and a file with any error writes nothing. A
valid file is applied in one transaction, matched on committee code and unit
code, so importing the same file again changes nothing. The columns are
documented in the README.

A file is refused before it is parsed when it is larger, longer or wider than
the limits in settings (`ORGANISATION_IMPORT_*`). A file checked in the browser
is kept as an `OrganisationUpload` of its user with the file's checksum until it
is imported or expires; the confirmation names that upload, so it imports the
rows that were shown or nothing.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import User
from core import events
from schools.models import Committee, OrganisationUpload, School, SchoolForm, SocioEconomicBand
from schools.vocabulary import (
    COMMITTEE_COLUMNS,
    FORM_NAMES,
    NOT_SCHOOL_FORMS,
    SCHOOL_COLUMNS,
    STATUS_ACTIVE,
    Column,
    file_kind,
    nearest_column,
    normalise,
)

UNIT_CODE = re.compile(r"^[0-9]{8}$")
WHOLE_NUMBER = re.compile(r"^[0-9]+$")


class ImportFileError(Exception):
    """The file as a whole cannot be read."""


class ImportOutOfDate(Exception):
    """The checked upload a confirmation names is gone (imported, expired, not
    the user's) or the organisation has changed since it was checked."""


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class RowChange:
    line: int
    key: str
    name: str
    action: str  # "create", "update" or "unchanged"
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What a file would do, checked against the database as it is now."""

    kind: str  # "committees" or "schools"
    raw_rows: list[tuple[int, dict[str, str]]]
    errors: list[RowError] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    cleaned: list[dict] = field(default_factory=list)
    # Columns of the file that are not read: (the column's name, the known
    # column nearest to it or None).
    ignored_columns: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in ("create", "update", "unchanged")}

    @property
    def digest(self) -> str:
        """What the plan would write, in any language: the same file planned
        against the same organisation gives the same digest."""
        shown = [[c.line, c.key, c.action] for c in self.changes]
        return hashlib.sha256(json.dumps([shown, self.cleaned], sort_keys=True).encode()).hexdigest()


# --- Limits -----------------------------------------------------------------


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _too_large(size: int) -> None:
    limit = settings.ORGANISATION_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            _("The file is larger than %(limit)s. Split it into smaller files.") % {"limit": filesizeformat(limit)}
        )


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(limit)s rows below the header. Split it into smaller files.")
        % {"limit": _number(settings.ORGANISATION_IMPORT_MAX_ROWS)}
    )


def _too_long_value(line: int) -> ImportFileError:
    return ImportFileError(
        _("Line %(line)s has a value longer than %(limit)s characters.")
        % {"line": line, "limit": _number(settings.ORGANISATION_IMPORT_MAX_FIELD_CHARS)}
    )


# --- Reading the file -------------------------------------------------------


def read_rows(*, filename: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV or Excel file as (line number, {column: text})."""
    _too_large(len(content))
    if filename.lower().endswith(".xlsx"):
        table = _read_xlsx(content)
    elif filename.lower().endswith((".csv", ".txt")):
        table = _read_csv(content)
    else:
        raise ImportFileError(_("The file must be a CSV file (.csv) or an Excel workbook (.xlsx)."))
    table = [(n, cells) for n, cells in table if any(c.strip() for c in cells)]
    if not table:
        raise ImportFileError(_("The file is empty."))
    (_line, header), *body = table
    if not body:
        raise ImportFileError(_("The file has no rows below the header."))
    columns = [h.strip() for h in header]
    return [
        (n, {columns[i]: (cells[i] if i < len(cells) else "").strip() for i in range(len(columns))})
        for n, cells in body
    ]


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    if b"\0" in content:
        raise ImportFileError(_("The file is not a text file. Save it as CSV or as an Excel workbook (.xlsx)."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The file's characters cannot be read. Save it as CSV in UTF-8."))
    # The separator is whichever of Excel's usual ones the header line uses most;
    # quoting follows Excel's rules ("" inside a quoted field).
    header = text.split("\n", 1)[0]
    dialect = type("Dialect", (csv.excel,), {"delimiter": max(";,\t", key=header.count)})
    reader = csv.reader(io.StringIO(text), dialect)
    max_rows, max_chars = settings.ORGANISATION_IMPORT_MAX_ROWS, settings.ORGANISATION_IMPORT_MAX_FIELD_CHARS
    rows = []
    try:
        for row in reader:
            if any(len(value) > max_chars for value in row):
                raise _too_long_value(reader.line_num)
            if any(value.strip() for value in row):
                rows.append((reader.line_num, row))
                if len(rows) > max_rows + 1:
                    raise _too_many_rows()
    except csv.Error as exc:
        # The csv module's own limit on a field (131,072 characters) is far above ours.
        if "field limit" in str(exc):
            raise _too_long_value(reader.line_num) from exc
        raise ImportFileError(_("Line %(line)s of the CSV file cannot be read.") % {"line": reader.line_num}) from exc
    return rows


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    # A workbook is a zip archive: what it unpacks to is read from the archive's
    # directory before anything is unpacked (Python's zipfile never inflates a
    # member beyond its declared size).
    try:
        unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(content)).infolist())
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ImportFileError(_("The Excel file cannot be read.")) from exc
    if unpacked > settings.ORGANISATION_IMPORT_MAX_XLSX_UNPACKED_BYTES:
        raise ImportFileError(
            _("The Excel file unpacks to more than %(limit)s. Save only the organisation's sheet, or save it as CSV.")
            % {"limit": filesizeformat(settings.ORGANISATION_IMPORT_MAX_XLSX_UNPACKED_BYTES)}
        )
    try:
        # Read-only: the cells are read row by row below, not loaded here.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise ImportFileError(_("The Excel file cannot be read.")) from exc
    try:
        return _read_sheet(workbook.worksheets[0])
    finally:
        workbook.close()


def _read_sheet(sheet) -> list[tuple[int, list[str]]]:
    max_rows, max_columns = settings.ORGANISATION_IMPORT_MAX_ROWS, settings.ORGANISATION_IMPORT_MAX_COLUMNS
    max_chars = settings.ORGANISATION_IMPORT_MAX_FIELD_CHARS
    # The sheet's declared size, before a cell is read (openpyxl would pad the
    # rows up to it).
    if (sheet.max_row or 0) > max_rows + 1:
        raise _too_many_rows()
    if (sheet.max_column or 0) > max_columns:
        raise ImportFileError(_("The first sheet has more than %(limit)s columns.") % {"limit": _number(max_columns)})
    rows = []
    for number, row in enumerate(sheet.iter_rows(max_col=max_columns, values_only=True), start=1):
        if number > max_rows + 1:  # a sheet without a declared size
            raise _too_many_rows()
        cells = ["" if v is None else str(int(v) if isinstance(v, float) and v.is_integer() else v) for v in row]
        if any(len(cell) > max_chars for cell in cells):
            raise _too_long_value(number)
        rows.append((number, cells))
    return rows


# --- Checking ---------------------------------------------------------------


def organisation_import_plan(*, filename: str, content: bytes) -> ImportPlan:
    """Read and check a whole file; nothing is written."""
    return plan_rows(read_rows(filename=filename, content=content))


def organisation_import_check(*, user: User, upload: File) -> tuple[ImportPlan, OrganisationUpload | None]:
    """Check an uploaded file for `user`. A valid file is kept, with its
    checksum, as an upload the user can confirm; uploads past their time are
    removed."""
    _too_large(upload.size)  # before the file is read
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


def plan_rows(raw_rows: list[tuple[int, dict[str, str]]]) -> ImportPlan:
    """Check every row and the header in one round; nothing is written."""
    headers = list(raw_rows[0][1]) if raw_rows else []
    kind = file_kind(headers)
    if kind is None:
        plan = ImportPlan(kind="unknown", raw_rows=raw_rows)
        plan.errors.append(RowError(1, _unknown_columns_message(headers)))
        return plan
    plan = ImportPlan(kind=kind, raw_rows=raw_rows)
    spec = SCHOOL_COLUMNS if kind == "schools" else COMMITTEE_COLUMNS
    found = _match_columns(plan, headers, spec)
    rows = [(line, {f: row.get(header, "") for f, header in found.items()}) for line, row in raw_rows]
    if kind == "schools":
        _plan_schools(plan, rows, present=set(found))
    else:
        _plan_committees(plan, rows, present=set(found))
    return plan


def _titles(columns: tuple[Column, ...]) -> str:
    return ", ".join(column.title for column in columns)


def _unknown_columns_message(headers: list[str]) -> str:
    message = _("Unknown columns. A school file has the columns %(schools)s; a committee file %(committees)s.") % {
        "schools": _titles(SCHOOL_COLUMNS),
        "committees": _titles(COMMITTEE_COLUMNS),
    }
    hints = []
    for header in headers:
        near = nearest_column(header, SCHOOL_COLUMNS + COMMITTEE_COLUMNS)
        if near is not None and normalise(header) not in near.aliases:
            hints.append(_("%(column)r: did you mean %(known)s?") % {"column": header, "known": near.title})
    return " ".join([message, *hints])


def _match_columns(plan: ImportPlan, headers: list[str], spec: tuple[Column, ...]) -> dict[str, str]:
    """{field: the file's column} for the columns the file has; a missing
    required column, a column given twice and the columns not read are noted
    on the plan."""
    found: dict[str, str] = {}
    unknown = []
    for header in headers:
        column = next((c for c in spec if c.matches(header)), None)
        if column is None:
            if normalise(header):
                unknown.append(header)
        elif column.field in found:
            plan.errors.append(
                RowError(
                    1,
                    _("the columns %(first)r and %(second)r both give %(column)s; keep one of them")
                    % {"first": found[column.field], "second": header, "column": column.title},
                )
            )
        else:
            found[column.field] = header
    nearest = {header: nearest_column(header, spec) for header in unknown}
    missing = [c for c in spec if c.required and c.field not in found]
    if spec is SCHOOL_COLUMNS and "committee" not in found and "committee_code" not in found:
        missing.append(next(c for c in spec if c.field == "committee"))
    for column in missing:
        guesses = [header for header, near in nearest.items() if near is column]
        if guesses:
            message = _("the column %(column)s is missing: is it the column %(guess)r? Rename it %(column)s.") % {
                "column": column.title,
                "guess": guesses[0],
            }
        else:
            message = _("the column %(column)s is missing") % {"column": column.title}
        plan.errors.append(RowError(1, message))
    plan.ignored_columns = [(header, near.title if near else None) for header, near in nearest.items()]
    return found


def _plan_committees(plan: ImportPlan, rows: list[tuple[int, dict[str, str]]], *, present: set[str]) -> None:
    existing = {c.code.lower(): c for c in Committee.objects.all()}
    by_name = {c.name.lower(): c for c in existing.values()}
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for line, row in rows:
        code, name = row.get("code", ""), row.get("name", "")
        problems = []
        if not code and "code" in present:
            problems.append(_("the committee code is missing"))
        if not name and "name" in present:
            problems.append(_("the committee name is missing"))
        if code and code.lower() in seen_codes:
            problems.append(_("duplicate committee code, also on line %(line)s") % {"line": seen_codes[code.lower()]})
        if name and name.lower() in seen_names:
            problems.append(_("duplicate committee name, also on line %(line)s") % {"line": seen_names[name.lower()]})
        other = by_name.get(name.lower())
        if other is not None and code and other.code.lower() != code.lower():
            problems.append(_("the name is already used by committee %(code)s") % {"code": other.code})
        if code:
            seen_codes.setdefault(code.lower(), line)
        if name:
            seen_names.setdefault(name.lower(), line)
        if problems:
            plan.errors.extend(RowError(line, p) for p in problems)
            continue
        if not plan.is_valid:
            continue  # the header is wrong: the rows are checked, not planned
        current = existing.get(code.lower())
        if current is None:
            plan.changes.append(RowChange(line, code, name, "create"))
        elif current.name != name:
            plan.changes.append(RowChange(line, code, name, "update", [f"{_('name')}: {current.name} → {name}"]))
        else:
            plan.changes.append(RowChange(line, code, name, "unchanged"))
        plan.cleaned.append({"code": current.code if current else code, "name": name})


def _unit_code_problem(unit_code: str) -> str | None:
    if UNIT_CODE.match(unit_code):
        return None
    if re.fullmatch(r"[0-9]{7}", unit_code):
        return _(
            "bad unit code %(code)r: it must be 8 digits. Excel may have dropped a leading zero: is it "
            "0%(code)s? Format the column as text and type the code again."
        ) % {"code": unit_code}
    return _("bad unit code %(code)r: it must be 8 digits") % {"code": unit_code}


def _school_forms(text: str) -> tuple[set[str], list[str]]:
    """The school forms a cell names, and the problems with it."""
    forms: set[str] = set()
    problems = []
    texts = [t.strip() for t in re.split(r"[,;|/\n]|\boch\b", text) if t.strip()]
    if not texts:
        problems.append(_("no school form given"))
    for name in texts:
        key = normalise(name)
        if key in FORM_NAMES:
            forms.add(str(FORM_NAMES[key]))
        elif key in NOT_SCHOOL_FORMS:
            problems.append(
                _("%(form)r is not a school form of the Education Act (it is another educational activity)")
                % {"form": name}
            )
        else:
            near = difflib.get_close_matches(key, list(FORM_NAMES), n=1, cutoff=0.8)
            if near:
                label = dict(SchoolForm.choices)[FORM_NAMES[near[0]]]
                problems.append(
                    _("unknown school form %(form)r: did you mean %(known)s?") % {"form": name, "known": label}
                )
            else:
                problems.append(_("unknown school form %(form)r") % {"form": name})
    return forms, problems


def _plan_schools(plan: ImportPlan, rows: list[tuple[int, dict[str, str]]], *, present: set[str]) -> None:
    committees = {}
    by_code = {}
    for c in Committee.objects.all():
        committees[c.code.lower()] = c
        committees[c.name.lower()] = c
        by_code[c.code.lower()] = c
    existing = {s.unit_code: s for s in School.objects.select_related("committee").with_forms()}
    seen: dict[str, int] = {}
    labels = dict(SchoolForm.choices)
    for line, row in rows:
        problems = []
        unit_code = row.get("unit_code", "")
        name = row.get("name", "")
        if "unit_code" in present:
            if not unit_code:
                problems.append(_("the unit code is missing"))
            elif problem := _unit_code_problem(unit_code):
                problems.append(problem)
            elif unit_code in seen:
                problems.append(
                    _("duplicate unit code %(code)s, also on line %(line)s")
                    % {"code": unit_code, "line": seen[unit_code]}
                )
        if not name and "name" in present:
            problems.append(_("the school name is missing"))
        committee, committee_problems = _row_committee(row, present, committees, by_code)
        problems.extend(committee_problems)
        forms: set[str] = set()
        if "forms" in present:
            forms, form_problems = _school_forms(row.get("forms", ""))
            problems.extend(form_problems)
        pupil_count = None
        if row.get("pupil_count"):
            if WHOLE_NUMBER.match(row["pupil_count"]):
                pupil_count = int(row["pupil_count"])
            else:
                problems.append(
                    _("the number of pupils must be a whole number, not %(value)r") % {"value": row["pupil_count"]}
                )
        ses_band = None
        if row.get("ses_band"):
            value = row["ses_band"]
            if WHOLE_NUMBER.match(value) and int(value) in SocioEconomicBand.values:
                ses_band = int(value)
            else:
                problems.append(_("the socio-economic index band must be 1–5, not %(value)r") % {"value": value})
        status = normalise(row.get("status", ""))
        if status not in STATUS_ACTIVE:
            problems.append(_("unknown status %(value)r: use aktiv or nedlagd") % {"value": row["status"]})
        if UNIT_CODE.match(unit_code) and unit_code not in seen:
            seen[unit_code] = line
        if problems:
            plan.errors.extend(RowError(line, p) for p in problems)
            continue
        if not plan.is_valid:
            continue  # the header is wrong: the rows are checked, not planned
        values = {
            "name": name,
            "committee_id": committee.pk,
            "pupil_count": pupil_count,
            "ses_band": ses_band,
            "is_active": STATUS_ACTIVE[status],
        }
        current = existing.get(unit_code)
        if current is not None:
            # An optional column left out of the file keeps what the school has.
            for column in ("pupil_count", "ses_band"):
                if column not in present:
                    values[column] = getattr(current, column)
            if "status" not in present:
                values["is_active"] = current.is_active
        if current is None:
            plan.changes.append(RowChange(line, unit_code, name, "create"))
        else:
            diff = []
            if current.name != name:
                diff.append(f"{_('name')}: {current.name} → {name}")
            if current.committee_id != committee.pk:
                diff.append(f"{_('committee')}: {current.committee.name} → {committee.name}")
            if set(current.forms) != forms:
                diff.append(
                    f"{_('school forms')}: {', '.join(str(labels[f]) for f in sorted(current.forms))}"
                    f" → {', '.join(str(labels[f]) for f in sorted(forms))}"
                )
            for field_name, label in (
                ("pupil_count", _("number of pupils")),
                ("ses_band", _("socio-economic index band")),
            ):
                if getattr(current, field_name) != values[field_name]:
                    diff.append(f"{label}: {getattr(current, field_name) or '–'} → {values[field_name] or '–'}")
            if current.is_active != values["is_active"]:
                diff.append(_("closed") if current.is_active else _("reopened"))
            plan.changes.append(RowChange(line, unit_code, name, "update" if diff else "unchanged", diff))
        plan.cleaned.append({"unit_code": unit_code, "forms": sorted(forms), **values})


def _row_committee(row, present, committees, by_code) -> tuple[Committee | None, list[str]]:
    """The committee a school row names by code, by name or both."""
    code_text, name_text = row.get("committee_code", ""), row.get("committee", "")
    if "committee_code" not in present and "committee" not in present:
        return None, []
    if not code_text and not name_text:
        return None, [_("the committee is missing")]
    if code_text:
        committee = by_code.get(code_text.lower())
        if committee is None:
            return None, [_("unknown committee %(name)r") % {"name": code_text}]
        if name_text and committees.get(name_text.lower()) != committee:
            return None, [
                _("the committee code %(code)r and the committee %(name)r do not match")
                % {"code": code_text, "name": name_text}
            ]
        return committee, []
    committee = committees.get(name_text.lower())
    if committee is None:
        return None, [_("unknown committee %(name)r") % {"name": name_text}]
    return committee, []


# --- The template -------------------------------------------------------------


def organisation_template_rows() -> list[list[str]]:
    """A school file to fill in: the columns the import reads and two example
    rows (a committee's code or name, school forms by the Education Act's names)."""
    return [
        [column.title for column in SCHOOL_COLUMNS if column.field != "committee_code"],
        ["01234567", "Exempelskolan", "Förskoleklass, Grundskola, Fritidshem", "UTB", "350", "3", "Aktiv"],
        ["01234568", "Exempelförskolan", "Förskola", "UTB", "60", "", "Aktiv"],
    ]


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
