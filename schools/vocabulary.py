"""The words organisation files use: column names, school-form names, statuses.

Municipalities export their organisation from Skolverket's school-unit register
(Skolenhetsregistret), from their own systems or by hand, so the same column is
called "Skolenhetskod", "Skolenhet kod", "Enhetskod" or "School unit code", and
the same school form "Anpassad grundskola", "Grundsärskola" or "GRAN". Every
name is compared in its normalised form (`normalise`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from schools.models import SchoolForm


def normalise(text: str) -> str:
    """Lower case, punctuation and runs of spaces as one space: "Skolform(er)" → "skolform er"."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


@dataclass(frozen=True)
class Column:
    field: str
    title: str  # the name the import page documents and messages use
    aliases: tuple[str, ...]
    required: bool = False

    def matches(self, header: str) -> bool:
        return normalise(header) in self.aliases


def _aliases(*names: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(normalise(name) for name in names))


SCHOOL_COLUMNS = (
    Column(
        "unit_code",
        "Skolenhetskod",
        _aliases(
            "Skolenhetskod",
            "Skolenhetskoder",
            "Skolenhetkod",
            "Skolenhets kod",
            "Skolenhet kod",
            "Skolenhets-kod",
            "Enhetskod",
            "Enhetskoder",
            "Enhetkod",
            "Skolenhetsid",
            "Unit code",
            "School unit code",
            "SchoolUnitCode",
        ),
        required=True,
    ),
    Column(
        "name",
        "Skolenhetsnamn",
        _aliases(
            "Skolenhetsnamn",
            "Skolenhetens namn",
            "Skolenhet namn",
            "Skolenhet",
            "Enhetsnamn",
            "Enhetens namn",
            "Enhet",
            "Skolnamn",
            "Skola",
            "Namn",
            "Name",
            "School name",
            "School unit name",
            "School unit",
            "Unit name",
        ),
        required=True,
    ),
    Column(
        "forms",
        "Skolformer",
        _aliases(
            "Skolformer",
            "Skolform",
            "Skolform(er)",
            "Skolformer enhet",
            "Skolenhetens skolformer",
            "Enhetens skolformer",
            "Verksamhetsform",
            "Verksamhetsformer",
            "School form",
            "School forms",
            "SchoolForms",
            "School types",
            "School type",
        ),
        required=True,
    ),
    Column(
        "committee",
        "Nämnd",
        _aliases("Nämnd", "Nämnder", "Nämndnamn", "Nämndens namn", "Ansvarig nämnd", "Committee", "Committee name"),
    ),
    Column(
        "committee_code",
        "Nämndkod",
        _aliases("Nämndkod", "Nämndkoder", "Nämndens kod", "Nämnd kod", "Committee code"),
    ),
    Column(
        "pupil_count",
        "Antal elever",
        _aliases(
            "Antal elever",
            "Antal barn och elever",
            "Antal barn",
            "Elevantal",
            "Elever",
            "Antal elever totalt",
            "Number of pupils",
            "Pupils",
            "Pupil count",
            "Number of students",
            "Students",
        ),
    ),
    Column(
        "ses_band",
        "Socioekonomiskt index",
        _aliases(
            "Socioekonomiskt index",
            "Socioekonomiskt indexband",
            "Socioekonomiskt band",
            "Socioekonomisk index",
            "SES",
            "SES band",
            "Socio-economic index",
            "Socio-economic band",
            "Socioeconomic index",
        ),
    ),
    Column(
        "status",
        "Status",
        _aliases("Status", "Skolenhetsstatus", "Skolenhetens status", "Enhetsstatus", "School unit status"),
    ),
    # What Skolverket's register holds beside the unit (optional in a file).
    Column(
        "organisation_number",
        "Organisationsnummer",
        _aliases(
            "Organisationsnummer",
            "Huvudmannens organisationsnummer",
            "Huvudman organisationsnummer",
            "Orgnr",
            "Org nr",
            "Organization number",
            "Organisation number",
        ),
    ),
    Column(
        "municipality_code",
        "Kommunkod",
        _aliases("Kommunkod", "Kommunkoder", "Kommun kod", "Municipality code"),
    ),
    Column(
        "principal_email",
        "E-post",
        _aliases(
            "E-post",
            "E-postadress",
            "Epost",
            "Rektors e-post",
            "E-post rektor",
            "Skolenhetens e-post",
            "Email",
            "E-mail",
            "Principal email",
        ),
    ),
)

# The columns a file of Skolverket's register fills in beside the required ones.
REGISTER_FIELDS = ("organisation_number", "municipality_code", "principal_email")

COMMITTEE_COLUMNS = (
    Column(
        "code",
        "Nämndkod",
        _aliases("Nämndkod", "Nämndkoder", "Nämndens kod", "Nämnd kod", "Committee code"),
        required=True,
    ),
    Column(
        "name",
        "Nämnd",
        _aliases("Nämnd", "Nämnder", "Nämndnamn", "Nämndens namn", "Namn", "Name", "Committee", "Committee name"),
        required=True,
    ),
)

# A school file is recognised by a column only a school file has.
_SCHOOL_ONLY = {
    alias
    for column in SCHOOL_COLUMNS
    if column.field not in ("committee", "committee_code", "name", "status")
    for alias in column.aliases
} | set(SCHOOL_COLUMNS[1].aliases) - set(COMMITTEE_COLUMNS[1].aliases)


def file_kind(headers: list[str]) -> str | None:
    """ "schools", "committees" or None, from the header's column names (or, when
    none is known, the names nearest to them)."""
    names = [normalise(h) for h in headers if normalise(h)]
    if any(name in _SCHOOL_ONLY for name in names):
        return "schools"
    if any(COMMITTEE_COLUMNS[0].matches(name) for name in names):
        return "committees"
    if any(difflib.get_close_matches(name, _SCHOOL_ONLY, n=1, cutoff=0.8) for name in names):
        return "schools"
    # A committee file is known by its code column; "Namn" alone could be either.
    if any(difflib.get_close_matches(name, COMMITTEE_COLUMNS[0].aliases, n=1, cutoff=0.8) for name in names):
        return "committees"
    return None


# Columns of the register's exports that are known and deliberately not read:
# none of the read columns is meant by them ("Kommun" is the name, not the code).
NOT_READ = {normalise(name) for name in ("Kommun", "Kommunnamn", "Huvudman", "Huvudmannens namn")}


def nearest_column(header: str, columns: tuple[Column, ...]) -> Column | None:
    """The known column whose name is nearest to `header`, if any is near."""
    if normalise(header) in NOT_READ:
        return None
    by_alias = {alias: column for column in columns for alias in column.aliases}
    match = difflib.get_close_matches(normalise(header), list(by_alias), n=1, cutoff=0.75)
    return by_alias[match[0]] if match else None


# --- School forms -----------------------------------------------------------

# The names of the Education Act (skollagen 2010:800, chapter 1, 1 §), the
# names they had before 2023 and earlier, Skolverket's codes in the register,
# and the portal's own English labels.
FORM_NAMES: dict[str, str] = {
    normalise(name): form
    for form, names in {
        SchoolForm.PRESCHOOL: ("Förskola", "FS", "Förskoleverksamhet", "Daghem", "Preschool"),
        SchoolForm.PRESCHOOL_CLASS: (
            "Förskoleklass",
            "FKLASS",
            "FKL",
            "Sexårsverksamhet",
            "6-årsverksamhet",
            "Preschool class",
        ),
        SchoolForm.LEISURE_CENTRE: ("Fritidshem", "FTH", "Skolbarnsomsorg", "Fritids", "Leisure-time centre"),
        SchoolForm.COMPULSORY: ("Grundskola", "GR", "Compulsory school"),
        SchoolForm.ADAPTED_COMPULSORY: (
            "Anpassad grundskola",
            "GRAN",
            "Grundsärskola",
            "GRS",
            "Obligatorisk särskola",
            "Särskola",
            "Träningsskola",
            "Träningsskolan",
            "TR",
            "Adapted compulsory school",
        ),
        SchoolForm.SPECIAL: ("Specialskola", "SP", "Special school"),
        SchoolForm.SAMI: ("Sameskola", "SAM", "Sami school"),
        SchoolForm.UPPER_SECONDARY: ("Gymnasieskola", "GY", "Upper secondary school"),
        SchoolForm.ADAPTED_UPPER_SECONDARY: (
            "Anpassad gymnasieskola",
            "GYAN",
            "Gymnasiesärskola",
            "GYS",
            "Adapted upper secondary school",
        ),
        SchoolForm.ADULT_EDUCATION: (
            "Kommunal vuxenutbildning",
            "Komvux",
            "VUX",
            "Vuxenutbildning",
            "Kommunal vuxenutbildning på grundläggande nivå",
            "Kommunal vuxenutbildning på gymnasial nivå",
            "Kommunal vuxenutbildning i svenska för invandrare",
            "Svenska för invandrare",
            "SFI",
            "VUXGR",
            "VUXGY",
            "VUXSFI",
            "Municipal adult education",
        ),
        SchoolForm.ADAPTED_ADULT_EDUCATION: (
            "Kommunal vuxenutbildning som anpassad utbildning",
            "Anpassad kommunal vuxenutbildning",
            "Anpassad komvux",
            "Komvux som anpassad utbildning",
            "Särskild utbildning för vuxna",
            "Kommunal vuxenutbildning som särskild utbildning",
            "Särvux",
            "VUXAN",
            "VUXSARGR",
            "VUXSARTR",
            "VUXSARGY",
            "Adapted municipal adult education",
        ),
    }.items()
    for name in names
} | {normalise(form): form for form in SchoolForm.values}

# Activities the register lists beside the school forms that the Education Act
# calls "annan pedagogisk verksamhet", not school forms.
NOT_SCHOOL_FORMS = {
    normalise(name)
    for name in (
        "Pedagogisk omsorg",
        "Familjedaghem",
        "Öppen förskola",
        "Öppen fritidsverksamhet",
        "OPPFTH",
        "Omsorg på obekväm arbetstid",
        "Internationell skola",
    )
}


# --- Status -----------------------------------------------------------------

# Skolverket's register: AKTIV, VILANDE (dormant), UPPHORT (ceased), PLANERAD;
# a dormant or ceased unit is not followed up.
STATUS_ACTIVE = {
    normalise(name): active
    for names, active in (
        (("", "Aktiv", "Active", "Öppen", "Open"), True),
        (("Nedlagd", "Upphörd", "Upphört", "Upphord", "Upphort", "Vilande", "Stängd", "Closed", "Inactive"), False),
    )
    for name in names
}
