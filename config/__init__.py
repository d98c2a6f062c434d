from . import checks  # noqa: F401  registers the start-up checks of the configuration
from .celery import app as celery_app

__all__ = ("celery_app",)
