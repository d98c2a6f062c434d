"""Checking the rows of an organisation file: its header matched to the known
columns (schools/vocabulary.py), every row checked against the others and the
database as it is now, and the plan of what the file would change. Nothing is
written here.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from schools.models import Committee, School, SchoolForm, SocioEconomicBand
from schools.vocabulary import (
    COMMITTEE_COLUMNS,
    FORM_NAMES,
    NOT_SCHOOL_FORMS,
    REGISTER_FIELDS,
    SCHOOL_COLUMNS,
    STATUS_ACTIVE,
    Column,
    file_kind,
    nearest_column,
    normalise,
)

UNIT_CODE = re.compile(r"^[0-9]{8}$")
WHOLE_NUMBER = re.compile(r"^[0-9]+$")


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


def plan_rows(
    raw_rows: list[tuple[int, dict[str, str]]],
    *,
    from_register: bool = False,
    new_school_committee: Committee | None = None,
) -> ImportPlan:
    """Check every row and the header in one round; nothing is written.

    Rows `from_register` (Skolverket's school-unit register, schools/register.py)
    name no committee: a unit the portal has keeps its committee, a new unit goes
    to `new_school_committee` and without one is an error."""
    headers = list(raw_rows[0][1]) if raw_rows else []
    kind = file_kind(headers)
    if kind is None:
        plan = ImportPlan(kind="unknown", raw_rows=raw_rows)
        plan.errors.append(RowError(1, _unknown_columns_message(headers)))
        return plan
    plan = ImportPlan(kind=kind, raw_rows=raw_rows)
    spec = SCHOOL_COLUMNS if kind == "schools" else COMMITTEE_COLUMNS
    found = _match_columns(plan, headers, spec, committee_required=not from_register)
    rows = [(line, {f: row.get(header, "") for f, header in found.items()}) for line, row in raw_rows]
    if kind == "schools":
        _plan_schools(
            plan, rows, present=set(found), from_register=from_register, new_school_committee=new_school_committee
        )
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


def _match_columns(
    plan: ImportPlan, headers: list[str], spec: tuple[Column, ...], *, committee_required: bool = True
) -> dict[str, str]:
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
    if spec is SCHOOL_COLUMNS and committee_required and "committee" not in found and "committee_code" not in found:
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


def _register_values(row: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The organisation number, municipality code and e-mail a row gives, and the problems with them."""
    values, problems = {}, []
    number = re.sub(r"[\s-]", "", row.get("organisation_number", ""))
    if len(number) == 12 and number.startswith("16"):  # the register's 16-prefixed form
        number = number[2:]
    if number and not re.fullmatch(r"[0-9]{10}", number):
        problems.append(
            _("bad organisation number %(value)r: it must be 10 digits, e.g. 212000-0000")
            % {"value": row["organisation_number"]}
        )
    values["organisation_number"] = number
    code = row.get("municipality_code", "")
    if code and not re.fullmatch(r"[0-9]{4}", code):
        if re.fullmatch(r"[0-9]{3}", code):
            problems.append(
                _(
                    "bad municipality code %(value)r: it must be 4 digits. Excel may have dropped a leading "
                    "zero: is it 0%(value)s?"
                )
                % {"value": code}
            )
        else:
            problems.append(_("bad municipality code %(value)r: it must be 4 digits") % {"value": code})
    values["municipality_code"] = code
    email = row.get("principal_email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("bad e-mail address %(value)r") % {"value": email})
    values["principal_email"] = email
    return values, problems


def _plan_schools(
    plan: ImportPlan,
    rows: list[tuple[int, dict[str, str]]],
    *,
    present: set[str],
    from_register: bool = False,
    new_school_committee: Committee | None = None,
) -> None:
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
        current = existing.get(unit_code)
        if from_register and "committee" not in present and "committee_code" not in present:
            # A file of the register: a unit keeps its committee, a new one gets the chosen one.
            committee = current.committee if current is not None else new_school_committee
            if committee is None and UNIT_CODE.match(unit_code):
                problems.append(
                    _(
                        "the unit %(code)s is new to the portal and the register names no committee: "
                        "choose the committee for new school units"
                    )
                    % {"code": unit_code}
                )
        register_values, register_problems = _register_values(row)
        problems.extend(register_problems)
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
            **register_values,
        }
        if current is not None:
            # An optional column left out of the file keeps what the school has.
            for column in ("pupil_count", "ses_band", *REGISTER_FIELDS):
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
                ("organisation_number", _("organisation number")),
                ("municipality_code", _("municipality code")),
                ("principal_email", _("e-mail")),
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
