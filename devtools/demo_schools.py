"""The demo city's organisation: four committees and twenty school units."""

from schools.models import Committee, School
from schools.models import SchoolForm as F

COMMITTEES = [
    ("UTB", "Utbildningsnämnden"),
    ("SDN-NORR", "Norra stadsdelsnämnden"),
    ("SDN-SODER", "Södra stadsdelsnämnden"),
    ("SDN-VAST", "Västra stadsdelsnämnden"),
]

# unit code, name, committee code, forms, pupils, socio-economic band
SCHOOLS = [
    ("10000001", "Björkhagens förskola", "SDN-NORR", [F.PRESCHOOL], 64, 2),
    ("10000002", "Ekbackens förskola", "SDN-NORR", [F.PRESCHOOL], 88, 1),
    ("10000003", "Norrskolan", "SDN-NORR", [F.PRESCHOOL_CLASS, F.COMPULSORY, F.LEISURE_CENTRE], 412, 2),
    ("10000004", "Lärkskolan", "SDN-NORR", [F.PRESCHOOL_CLASS, F.COMPULSORY, F.LEISURE_CENTRE], 356, 4),
    ("10000005", "Tallbackens anpassade grundskola", "SDN-NORR", [F.ADAPTED_COMPULSORY], 38, 3),
    ("10000006", "Solrosens förskola", "SDN-SODER", [F.PRESCHOOL], 72, 5),
    ("10000007", "Hagaskolan", "SDN-SODER", [F.PRESCHOOL_CLASS, F.COMPULSORY, F.LEISURE_CENTRE], 520, 5),
    ("10000008", "Sjöviksskolan", "SDN-SODER", [F.COMPULSORY], 298, 4),
    ("10000009", "Vallens förskola", "SDN-SODER", [F.PRESCHOOL], 55, 4),
    ("10000010", "Söderskolan", "SDN-SODER", [F.PRESCHOOL_CLASS, F.COMPULSORY, F.LEISURE_CENTRE], 640, 3),
    ("10000011", "Västerängens förskola", "SDN-VAST", [F.PRESCHOOL], 96, 3),
    ("10000012", "Kvarnskolan", "SDN-VAST", [F.PRESCHOOL_CLASS, F.COMPULSORY, F.LEISURE_CENTRE], 380, 1),
    ("10000013", "Ängsskolan", "SDN-VAST", [F.COMPULSORY, F.ADAPTED_COMPULSORY], 450, 2),
    ("10000014", "Lönnens förskola", "SDN-VAST", [F.PRESCHOOL], 48, 2),
    ("10000015", "Stadsgymnasiet", "UTB", [F.UPPER_SECONDARY], 1150, 2),
    ("10000016", "Tekniska gymnasiet", "UTB", [F.UPPER_SECONDARY], 820, 3),
    ("10000017", "Gymnasiesärskolan Kompassen", "UTB", [F.ADAPTED_UPPER_SECONDARY], 64, 3),
    ("10000018", "Vuxenutbildningen Centrum", "UTB", [F.ADULT_EDUCATION, F.ADAPTED_ADULT_EDUCATION], 900, 4),
    ("10000019", "Naturbruksgymnasiet", "UTB", [F.UPPER_SECONDARY], 310, None),
    ("10000020", "Gamla Kyrkskolan", "SDN-NORR", [F.COMPULSORY], None, None),
]
CLOSED = {"10000020"}


def build() -> dict[str, School]:
    """Create or bring up to date the demo organisation; safe to run again."""
    committees = {
        code: Committee.objects.update_or_create(code=code, defaults={"name": name})[0] for code, name in COMMITTEES
    }
    schools = {}
    for unit_code, name, committee_code, forms, pupils, band in SCHOOLS:
        school, _ = School.objects.update_or_create(
            unit_code=unit_code,
            defaults={
                "name": name,
                "committee": committees[committee_code],
                "pupil_count": pupils,
                "ses_band": band,
                "is_active": unit_code not in CLOSED,
                "closed_on": "2025-06-30" if unit_code in CLOSED else None,
            },
        )
        school.set_forms({str(f) for f in forms})
        schools[unit_code] = school
    return schools
