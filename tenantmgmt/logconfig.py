"""One logging configuration for Django, Celery and gunicorn: everything to stdout, as JSON lines in
production (one object per record, for the cluster's log collector) or plain text on a laptop."""

from __future__ import annotations

LOG_FORMATS = ("json", "plain")

_PLAIN = "%(asctime)s %(levelname)s %(name)s %(message)s"


def logging_config(*, level: str, log_format: str, extra_loggers: dict | None = None) -> dict:
    """A ``logging.config.dictConfig`` dict sending every record to stdout in ``log_format``.

    A JSON record looks like ``{"time": "...", "level": "INFO", "logger": "tenants.reconciler",
    "message": "...", ...extra fields}``. ``extra_loggers`` adds named loggers (gunicorn's own).
    """
    formatter: dict = {"format": _PLAIN}
    if log_format == "json":
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": _PLAIN,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "default"},
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": extra_loggers or {},
    }
