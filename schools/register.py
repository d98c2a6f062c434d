"""Skolverket's school-unit register (Skolenhetsregistret), open API v2.

A unit's document (`GET /v2/school-units/{code}`) looks like this, shortened:

    {"meta": {"extractDate": "…", "modified": "…"},
     "data": {"type": "schoolunit", "schoolUnitCode": "12345678",
              "attributes": {"displayName": "…", "status": "AKTIV",
                             "municipalityCode": "1480", "email": "…",
                             "schoolTypes": ["GR", "FKLASS", "FTH"],
                             "schoolTypeProperties": {"vux": {"schoolTypeParts": ["VUXSFI"]}}}},
     "included": {"type": "organization", "organizationNumber": "2120001355",
                  "attributes": {"displayName": "… KOMMUN", "organizerType": "KOMMUN"}}}

The list (`GET /v2/school-units?municipality_code=…`) holds only each unit's
code, name and status, under `data.attributes`. A file saved from the register
holds one unit's document or a JSON array of them; its units become the rows of
a school file (the columns of schools/vocabulary.py) and go through the same
checks as a CSV file (schools/org_checks.py). The limits of a file
(`ORGANISATION_IMPORT_*`) hold for a document too; it is refused before it is
parsed when it is nested deeper than a document of the register is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from schools.org_checks import RowError
from schools.org_files import ImportFileError, refuse_too_large

# A unit's document is nested five levels deep (data.attributes.schoolTypeProperties.vux.schoolTypeParts);
# an array of documents one more. Deeper is not the register's.
MAX_DEPTH = 12

STATUS_NAMES = {"AKTIV": "Aktiv", "VILANDE": "Vilande", "UPPHORT": "Upphört"}
PLANNED = "PLANERAD"
MUNICIPAL = "KOMMUN"
# Parts of municipal adult education given as adapted education (anpassad komvux).
ADAPTED_ADULT_PARTS = {"VUXGRAN", "VUXGYAN"}
# Activities the register lists among the school types that are not school forms of the Education Act.
NOT_FORMS = {"OPPFTH"}


@dataclass
class RegisterUnit:
    """One unit read from a document: the row it gives a school file, or why it gives none."""

    number: int  # the document's place in the file, from 1
    unit_code: str
    name: str
    row: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # Why a sync leaves the unit out: planned, another organiser or municipality, no school form.
    outside: str = ""


# --- Reading ------------------------------------------------------------------


def parse_json(content: bytes, *, what: str) -> object:
    """JSON within the limits: not larger, deeper or with longer values than a file may have."""
    refuse_too_large(len(content))
    _refuse_too_deep(content, what=what)
    try:
        text = content.decode("utf-8-sig")
        document = json.loads(text, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ImportFileError(_("%(what)s is not valid JSON.") % {"what": what}) from exc
    _refuse_too_long_strings(document, what=what)
    return document


def _refuse_constant(name: str):
    raise ValueError(name)


def _refuse_too_deep(content: bytes, *, what: str) -> None:
    # Counted on the bytes before parsing: the parser would recurse once per level.
    depth = 0
    in_string = escaped = False
    for byte in content:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_DEPTH:
                raise ImportFileError(
                    _("%(what)s is nested deeper than the register's documents are (more than %(limit)s levels).")
                    % {"what": what, "limit": MAX_DEPTH}
                )
        elif byte in (0x5D, 0x7D):
            depth -= 1


def _refuse_too_long_strings(document: object, *, what: str) -> None:
    limit = settings.ORGANISATION_IMPORT_MAX_FIELD_CHARS
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and len(value) > limit:
            raise ImportFileError(
                _("%(what)s has a value longer than %(limit)s characters.")
                % {"what": what, "limit": number_format(limit, force_grouping=True)}
            )


def unit_documents(document: object, *, what: str) -> list[dict]:
    """The units' documents of a file: one document, or an array of them."""
    if isinstance(document, dict) and isinstance(document.get("data"), dict):
        if isinstance(document["data"].get("attributes"), list):
            raise ImportFileError(
                _(
                    "%(what)s is the register's list of school units, which holds no school forms. Save each "
                    "unit's own document (/v2/school-units/<code>), or run the command sync_register."
                )
                % {"what": what}
            )
        documents = [document]
    elif isinstance(document, list) and document:
        documents = document
    elif isinstance(document, list):
        raise ImportFileError(_("%(what)s holds no school units.") % {"what": what})
    else:
        raise ImportFileError(
            _(
                "%(what)s is not a document of Skolverket's school-unit register (API v2): it has no "
                '"data" with a school unit.'
            )
            % {"what": what}
        )
    if len(documents) > settings.ORGANISATION_IMPORT_MAX_ROWS:
        raise ImportFileError(
            _("%(what)s has more than %(limit)s school units. Split it into smaller files.")
            % {"what": what, "limit": number_format(settings.ORGANISATION_IMPORT_MAX_ROWS, force_grouping=True)}
        )
    return documents


# --- A document as a row --------------------------------------------------------


def _text(value: object) -> str | None:
    """A string value as text; None when it is another type."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return None


def read_unit(document: object, *, number: int, municipality_code: str = "") -> RegisterUnit:
    """The row one unit's document gives, checked for the register's shape and types."""
    unit = RegisterUnit(number=number, unit_code="", name="")
    data = document.get("data") if isinstance(document, dict) else None
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("type", "schoolunit") != "schoolunit" or not isinstance(attributes, dict):
        unit.problems.append(_('not a school unit\'s document of the register: "data" with "attributes" is missing'))
        return unit
    problems = unit.problems

    def text(source: dict, key: str) -> str:
        value = _text(source.get(key))
        if value is None:
            problems.append(_("the field %(field)s must be text, not %(value)s") % _shown(key, source.get(key)))
            return ""
        return value

    unit.unit_code = text(data, "schoolUnitCode")
    unit.name = text(attributes, "displayName") or text(attributes, "schoolName")
    status = text(attributes, "status")
    municipality = text(attributes, "municipalityCode")
    forms = _forms(attributes, problems)
    email = _email(attributes.get("email"), problems)
    organiser = _organiser(document.get("included"), problems)
    organisation_number = text(organiser, "organizationNumber")
    organiser_attributes = organiser.get("attributes") if isinstance(organiser.get("attributes"), dict) else {}
    organiser_type = text(organiser_attributes, "organizerType")
    organiser_name = text(organiser_attributes, "displayName")

    if status and status not in STATUS_NAMES and status != PLANNED:
        problems.append(_("unknown status %(value)r in the register") % {"value": status})
    if status == PLANNED:
        unit.outside = _("a planned unit that has not started")
    elif organiser_type and organiser_type != MUNICIPAL:
        unit.outside = _("its principal organiser is %(name)s (%(type)s), not the city") % {
            "name": organiser_name or "–",
            "type": organiser_type,
        }
    elif municipality_code and municipality and municipality != municipality_code:
        unit.outside = _("it lies in the municipality %(code)s, not the city's %(city)s") % {
            "code": municipality,
            "city": municipality_code,
        }
    elif not forms and not problems and isinstance(attributes.get("schoolTypes"), list):
        unit.outside = _("it has no school form of the Education Act, only other activities")
    unit.row = {
        "Skolenhetskod": unit.unit_code,
        "Skolenhetsnamn": unit.name,
        "Skolformer": ", ".join(forms),
        "Status": STATUS_NAMES.get(status, status),
        "Organisationsnummer": organisation_number,
        "Kommunkod": municipality,
        "E-post": email,
    }
    return unit


def _shown(key: str, value: object) -> dict[str, str]:
    return {"field": key, "value": json.dumps(value, ensure_ascii=False)[:40]}


def _forms(attributes: dict, problems: list[str]) -> list[str]:
    types = attributes.get("schoolTypes")
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        problems.append(
            _("the field schoolTypes must be a list of school-form codes, not %(value)s") % _shown("schoolTypes", types)
        )
        return []
    forms = []
    for code in (t.strip().upper() for t in types):
        if code in NOT_FORMS or code in forms:
            continue
        if code == "VUX":
            parts = _adult_parts(attributes.get("schoolTypeProperties"))
            if parts & ADAPTED_ADULT_PARTS:
                forms.append("VUXAN")
            if not parts or parts - ADAPTED_ADULT_PARTS:
                forms.append("VUX")
            continue
        forms.append(code)
    return forms


def _adult_parts(properties: object) -> set[str]:
    if not isinstance(properties, dict):
        return set()
    vux = properties.get("vux") or properties.get("VUX")
    parts = vux.get("schoolTypeParts") if isinstance(vux, dict) else None
    return {p.upper() for p in parts if isinstance(p, str)} if isinstance(parts, list) else set()


def _email(value: object, problems: list[str]) -> str:
    # A unit's e-mail is a string; an organiser's is a list of {"email": …}.
    if value is None or isinstance(value, str):
        return (value or "").strip()
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and isinstance(item.get("email"), str):
                return item["email"].strip()
        if not value:
            return ""
    problems.append(_("the field %(field)s must be text, not %(value)s") % _shown("email", value))
    return ""


def _organiser(included: object, problems: list[str]) -> dict:
    if included is None:
        return {}
    if isinstance(included, list):
        included = next((i for i in included if isinstance(i, dict) and "organizationNumber" in i), {})
    if not isinstance(included, dict):
        problems.append(
            _("the field %(field)s must be the principal organiser, not %(value)s") % _shown("included", included)
        )
        return {}
    return included


# --- A file -----------------------------------------------------------------------


def read_register_file(
    *, content: bytes, municipality_code: str = ""
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The rows of a file of the register's documents, and the problems the
    register's own checks find (shape, types, units outside the city)."""
    what = _("The file")
    documents = unit_documents(parse_json(content, what=what), what=what)
    rows, errors = [], []
    for number, document in enumerate(documents, start=1):
        unit = read_unit(document, number=number, municipality_code=municipality_code)
        errors.extend(RowError(number, problem) for problem in unit.problems)
        if unit.outside:
            errors.append(
                RowError(
                    number,
                    _(
                        "the unit %(code)s %(name)s is not the city's to follow up: %(reason)s. "
                        "Leave it out of the file."
                    )
                    % {"code": unit.unit_code, "name": unit.name, "reason": unit.outside},
                )
            )
        elif unit.row:
            rows.append((number, unit.row))
    return rows, errors
