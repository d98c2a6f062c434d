"""The Nu HTML checker (vnu.jar from the npm package vnu-jar, run with Java)
over the HTML of the portal's pages."""

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings


def vnu_jar() -> Path:
    jar = Path(os.environ.get("VNU_JAR") or settings.BASE_DIR / ".vnu/node_modules/vnu-jar/build/dist/vnu.jar")
    if not jar.is_file():
        raise RuntimeError(f"The Nu HTML checker is missing at {jar}: npm install --prefix .vnu vnu-jar (see README)")
    return jar


# htmx attributes still written without data-: the autosave forms (static/js/autosave.js
# reads their hx-post attribute, so they move to data-hx-* together with it) and the
# yearly report's status, which polls. tests/core/test_templates.py keeps this list
# to these templates; every other hx-* attribute is an error.
BARE_HTMX_ALLOWED_ON = ("data-draft-key=", 'id="report-status"')
_BARE_HTMX = re.compile(r"^Attribute “hx-[a-z-]+” not allowed on element “(form|div)” at this point\.$")


def _allowed(message: dict, html: str) -> bool:
    """A bare htmx attribute in the start tag of an autosave form or of the report's status."""
    if not _BARE_HTMX.match(message.get("message", "")):
        return False
    lines = html.splitlines(keepends=True)
    line, column = message.get("lastLine", 1), message.get("lastColumn", 0)
    offset = sum(len(text) for text in lines[: line - 1]) + column
    tag = html[html.rfind("<", 0, offset) : offset]
    return any(marker in tag for marker in BARE_HTMX_ALLOWED_ON)


def nu_errors(pages: dict[str, str]) -> list[str]:
    """Check each page (url -> HTML); return one line per error, naming the page."""
    if not pages:
        return []
    if not shutil.which("java"):
        raise RuntimeError("Java is missing: apt-get install default-jre-headless (see README)")
    with tempfile.TemporaryDirectory() as folder:
        names, sources = {}, {}
        for number, (url, html) in enumerate(pages.items()):
            path = Path(folder) / f"page-{number}.html"
            path.write_text(html, encoding="utf-8")
            names[path.name] = url
            sources[path.name] = html
        result = subprocess.run(
            [
                "java",
                "-jar",
                str(vnu_jar()),
                "--errors-only",
                "--format",
                "json",
                *sorted(map(str, Path(folder).iterdir())),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        name = Path(message.get("url", "")).name
        if _allowed(message, sources.get(name, "")):
            continue
        url = names.get(name, message.get("url"))
        errors.append(
            f"{url} line {message.get('lastLine')}: {message['message']} [{message.get('extract', '').strip()}]"
        )
    return errors
