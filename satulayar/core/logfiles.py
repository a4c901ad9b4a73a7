"""Log files for `satulayar demo`: access lines, job lines and the rest go to rotated files under `var/log/`
(DATA_DIR/log), and the console shows errors only; `--verbose` keeps everything on the console.

`log_to_files(name)` points the root logger (and Huey's, which adds its own handler otherwise) at
`<log dir>/<name>.log`; `uvicorn_log_config()` gives uvicorn's loggers the same treatment, its access lines in
`access.log`.
"""

import logging
import logging.handlers
from pathlib import Path

from django.conf import settings

MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "log"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _file_handler(name: str) -> logging.Handler:
    handler = logging.handlers.RotatingFileHandler(log_dir() / f"{name}.log", maxBytes=MAX_BYTES,
                                                   backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler


def log_to_files(name: str) -> Path:
    """Everything this process logs goes to `<name>.log` (rotated); the console keeps errors. Returns the file."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    to_file = _file_handler(name)
    console = logging.StreamHandler()
    console.setLevel(logging.ERROR)
    root.addHandler(to_file)
    root.addHandler(console)
    huey = logging.getLogger("huey")
    for handler in list(huey.handlers):
        huey.removeHandler(handler)
    huey.addHandler(to_file)
    huey.propagate = False
    return log_dir() / f"{name}.log"


def uvicorn_log_config(*, verbose: bool) -> dict | None:
    """uvicorn's logging: its default (to the console) when verbose, else rotated files and errors on the console."""
    if verbose:
        return None
    folder = log_dir()

    def rotated(name: str) -> dict:
        return {"class": "logging.handlers.RotatingFileHandler", "filename": str(folder / f"{name}.log"),
                "maxBytes": MAX_BYTES, "backupCount": BACKUPS, "encoding": "utf-8", "formatter": "plain"}

    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"plain": {"format": FORMAT}},
        "handlers": {"server": rotated("server"), "access": rotated("access"),
                     "console": {"class": "logging.StreamHandler", "level": "ERROR", "formatter": "plain"}},
        "loggers": {"uvicorn": {"handlers": ["server", "console"], "level": "INFO", "propagate": False},
                    "uvicorn.error": {"level": "INFO"},
                    "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False}},
    }
