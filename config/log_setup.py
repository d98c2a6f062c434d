"""The portal's logging: one JSON object (or line of text) per record on stdout,
what log collectors read."""


def logging_config(*, level: str, style: str) -> dict:
    """The LOGGING setting: every log line on stdout at `level`, as JSON or text (`style`: "json" or "text")."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            # One JSON object per line on stdout: what log collectors parse.
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
            "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": style,
                "level": level,
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            "celery": {"level": level},
            # pysaml2's schema library announces each schema it loads.
            "xmlschema": {"level": "WARNING"},
            # Failed logins and lock-outs (warnings) are logged; every successful login is not.
            "axes": {"level": "WARNING"},
        },
    }
