from django.core.management.base import BaseCommand

from portal.stylesheet import TARGET, stylesheet_compile


class Command(BaseCommand):
    help = "Compile static/scss/portal.scss into static/css/portal.css."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if the committed CSS differs from its sources.")

    def handle(self, *args, check: bool = False, **options):
        css = stylesheet_compile()
        if check:
            if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != css:
                self.stderr.write("static/css/portal.css is out of date: run python manage.py build_css")
                raise SystemExit(1)
            return
        TARGET.write_text(css, encoding="utf-8")
        self.stdout.write(f"Wrote {TARGET}")
