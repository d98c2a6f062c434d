"""The Nu HTML checker (vnu.jar from the npm package vnu-jar, run with Java)
over the HTML of the portal's pages."""

import json
import os
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


def nu_errors(pages: dict[str, str]) -> list[str]:
    """Check each page (url -> HTML); return one line per error, naming the page."""
    if not pages:
        return []
    if not shutil.which("java"):
        raise RuntimeError("Java is missing: apt-get install default-jre-headless (see README)")
    with tempfile.TemporaryDirectory() as folder:
        names = {}
        for number, (url, html) in enumerate(pages.items()):
            path = Path(folder) / f"page-{number}.html"
            path.write_text(html, encoding="utf-8")
            names[path.name] = url
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
        url = names.get(name, message.get("url"))
        errors.append(
            f"{url} line {message.get('lastLine')}: {message['message']} [{message.get('extract', '').strip()}]"
        )
    return errors
