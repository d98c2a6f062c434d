"""Reading the city's units from Skolverket's school-unit register over HTTP
(`SKOLVERKET_REGISTER_URL`): the list of the municipality's units, then each
unit's document, read as a file of the register is (schools/register.py).

Every answer is held to the limits of an organisation file and waited for at
most `SKOLVERKET_REGISTER_TIMEOUT` seconds; a register that does not answer, or
answers something else than its documents, raises RegisterUnavailable before
anything is checked or written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from schools.org_checks import RowError
from schools.org_files import ImportFileError
from schools.register import RegisterUnit, parse_json, read_unit

STATUSES = ("AKTIV", "VILANDE", "UPPHORT", "PLANERAD")


class RegisterUnavailable(Exception):
    """The register does not answer, or not with its documents."""


@dataclass
class RegisterRead:
    """The city's units as the register has them."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Units of the municipality that are not the city's to follow up, and why.
    outside: list[RegisterUnit] = field(default_factory=list)
    listed_codes: set[str] = field(default_factory=set)


def register_read(*, base_url: str, municipality_code: str, timeout: float) -> RegisterRead:
    """The units of `municipality_code` from the register at `base_url`."""
    base = base_url.rstrip("/")
    with requests.Session() as session:
        listing = _get_json(
            session,
            f"{base}/v2/school-units",
            # Every status is asked for: without it the register leaves out the closed units.
            params={"municipality_code": municipality_code, "status": list(STATUSES)},
            timeout=timeout,
        )
        data = listing.get("data") if isinstance(listing, dict) else None
        items = data.get("attributes") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise RegisterUnavailable(
                _("The register's answer at %(url)s is not its list of school units.")
                % {"url": f"{base}/v2/school-units"}
            )
        if len(items) > settings.ORGANISATION_IMPORT_MAX_ROWS:
            raise RegisterUnavailable(
                _("The register lists more than %(limit)s school units.")
                % {"limit": settings.ORGANISATION_IMPORT_MAX_ROWS}
            )
        read = RegisterRead()
        for number, item in enumerate(items, start=1):
            code = item.get("schoolUnitCode") if isinstance(item, dict) else None
            if not isinstance(code, str) or not re.fullmatch(r"[0-9]{8}", code):
                raise RegisterUnavailable(
                    _("The register's list of school units has an entry without an 8-digit unit code: %(entry)s")
                    % {"entry": str(item)[:80]}
                )
            read.listed_codes.add(code)
            document = _get_json(session, f"{base}/v2/school-units/{code}", params={}, timeout=timeout)
            unit = read_unit(document, number=number, municipality_code=municipality_code)
            if unit.unit_code and unit.unit_code != code:
                unit.problems.append(
                    _("the register's document for %(code)s is about the unit %(other)s")
                    % {"code": code, "other": unit.unit_code}
                )
            if unit.outside:  # not the city's: its document's other faults do not matter here
                read.outside.append(unit)
                continue
            read.errors.extend(RowError(number, problem) for problem in unit.problems)
            if unit.row:
                read.rows.append((number, unit.row))
    return read


def _get_json(session: requests.Session, url: str, *, params: dict, timeout: float) -> object:
    limit = settings.ORGANISATION_IMPORT_MAX_BYTES
    try:
        with session.get(
            url, params=params, timeout=timeout, stream=True, headers={"Accept": "application/json"}
        ) as response:
            if response.status_code != 200:
                raise RegisterUnavailable(
                    _("Skolverket's register answered %(status)s at %(url)s. Nothing was read; try again later.")
                    % {"status": response.status_code, "url": url}
                )
            content = b""
            for chunk in response.iter_content(chunk_size=64 * 1024):
                content += chunk
                if len(content) > limit:
                    raise RegisterUnavailable(
                        _("Skolverket's register answered more than %(limit)s at %(url)s. Nothing was read.")
                        % {"limit": filesizeformat(limit), "url": url}
                    )
    except requests.RequestException as exc:
        raise RegisterUnavailable(
            _("Skolverket's register does not answer at %(url)s (%(reason)s). Nothing was read; try again later.")
            % {"url": url, "reason": type(exc).__name__}
        ) from exc
    try:
        return parse_json(content, what=_("The register's answer at %(url)s") % {"url": url})
    except ImportFileError as exc:
        raise RegisterUnavailable(str(exc)) from exc
