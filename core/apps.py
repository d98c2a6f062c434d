from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor every app imports: tasks, events, health, PDF, history."""

    name = "core"
    verbose_name = "Portal"
