"""gunicorn settings for the container (`gunicorn --config gunicorn.conf.py tenantmgmt.wsgi:application`).

Workers come from WEB_CONCURRENCY (gunicorn's own variable, default 2 here); logs go to stdout in the
same format as Django's (LOG_FORMAT, json unless DEBUG is on), access log included.
"""

import os

from tenantmgmt.env import env_bool, env_choice, env_int
from tenantmgmt.logconfig import LOG_FORMATS, logging_config

bind = f"0.0.0.0:{env_int('PORT', 8000, minimum=1)}"
workers = env_int("WEB_CONCURRENCY", 2, minimum=1)
# The heartbeat file lives in memory: the root filesystem is read-only in the cluster.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = 25  # below Kubernetes' default 30 s grace period
_access_log = env_bool("ACCESS_LOG", True)
accesslog = "-" if _access_log else None
# No control socket: it would go under $HOME, which the image does not have (and the root filesystem is read-only).
control_socket_disable = True

_level = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
_format = env_choice("LOG_FORMAT", "plain" if env_bool("DEBUG", False) else "json", LOG_FORMATS)
logconfig_dict = logging_config(
    level=_level,
    log_format=_format,
    extra_loggers={
        "gunicorn.error": {"level": _level, "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO" if _access_log else "WARNING", "handlers": ["stdout"], "propagate": False},
    },
)
