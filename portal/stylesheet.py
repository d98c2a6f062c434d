"""The portal's stylesheet: Sass sources in static/scss compiled with libsass.

The compiled CSS is committed (static/css/portal.css), so that nothing but
Python is needed to build it and nothing at all to serve it; a test checks that
it matches its sources.
"""

from pathlib import Path

from django.conf import settings

SOURCE = Path(settings.BASE_DIR) / "static" / "scss" / "portal.scss"
TARGET = Path(settings.BASE_DIR) / "static" / "css" / "portal.css"
HEADER = "/* Built by `python manage.py build_css` from static/scss; do not edit. */\n"


def stylesheet_compile() -> str:
    import sass

    return HEADER + sass.compile(filename=str(SOURCE), output_style="compact")
