import re
from pathlib import Path

from django.conf import settings


def test_htmx_attributes_are_written_as_data_hx_in_every_template():
    root = Path(settings.BASE_DIR) / "templates"
    bare = {
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if re.search(r"(?<![\w-])hx-[a-z-]+=", path.read_text(encoding="utf-8"))
    }
    assert bare == set(), sorted(bare)


def test_the_autosave_script_reads_the_forms_data_hx_post():
    script = (Path(settings.BASE_DIR) / "static/js/autosave.js").read_text(encoding="utf-8")
    assert not re.search(r"""["'\[]hx-post""", script)
    assert 'form.getAttribute("data-hx-post")' in script
