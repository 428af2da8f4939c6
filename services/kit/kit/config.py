"""Settings come from the nameko config first, then the environment, then a
default that makes `make run` work on a fresh machine."""
import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[3]


def setting(config, name, default=None):
    value = config.get(name) if config else None
    if value in (None, ""):
        value = os.environ.get(name)
    return default if value in (None, "") else value


def var_dir():
    path = Path(os.environ.get("PORTAIL_VAR_DIR") or REPOSITORY / "var")
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(service_name, config=None):
    """`<SERVICE>_DATABASE_URL`, else one SQLite file per service under var/."""
    default = f"sqlite:///{var_dir() / (service_name + '.sqlite')}"
    return setting(config, f"{service_name.upper()}_DATABASE_URL", default)


def portal_base_url(config=None):
    return setting(config, "PORTAL_BASE_URL", "http://localhost:8000").rstrip("/")
