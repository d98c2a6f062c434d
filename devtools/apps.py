from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """The demo city, the data generator and the benchmark: tooling above every app."""

    name = "devtools"
    verbose_name = "Devtools"
