import re
from pathlib import Path

from django.conf import settings

# Only these still write htmx attributes without data- (see tests/browser/nu_checker.py).
BARE_HTMX_TEMPLATES = {
    "actionplans/action_edit.html",
    "actionplans/plan_edit.html",
    "actionplans/report_edit.html",
    "followup/assessment_area.html",
    "dashboards/_report_status.html",
    "dashboards/board_report.html",
    "_autosave_result.html",
}


def test_htmx_attributes_are_written_as_data_hx_outside_the_autosave_forms():
    root = Path(settings.BASE_DIR) / "templates"
    bare = {
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if re.search(r"(?<![\w-])hx-[a-z-]+=", path.read_text(encoding="utf-8"))
    }
    assert bare <= BARE_HTMX_TEMPLATES, sorted(bare - BARE_HTMX_TEMPLATES)
