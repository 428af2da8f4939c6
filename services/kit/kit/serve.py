"""Start one service as every deployment does: check its secrets, migrate its
store, run what must exist before it serves (identity's first admin), then
hand over to `nameko run`.

    python -m kit.serve billing
"""
import importlib
import os
import sys

from kit.caller import SERVICES, CallerKey
from kit.config import REPOSITORY
from kit.keys import RefusedSetting
from kit.migrations import upgrade

# What a service needs done once its store is migrated, before it answers anyone.
BEFORE_SERVING = {"identity": "identity.bootstrap"}


def main(argv):
    service_name = argv[0] if argv else ""
    if service_name not in SERVICES:
        raise SystemExit(f"usage: python -m kit.serve {{{'|'.join(SERVICES)}}}")
    try:
        CallerKey.from_config()  # refuses a missing, placeholder or weak key before anything starts
        upgrade(service_name)
        if service_name in BEFORE_SERVING:
            importlib.import_module(BEFORE_SERVING[service_name]).main()
    except RefusedSetting as refused:
        raise SystemExit(f"{service_name} refuses to start: {refused}") from None
    os.environ["PORTAIL_PART"] = service_name  # named in every log line (kit.logs)
    config = os.environ.get("NAMEKO_CONFIG") or str(REPOSITORY / "deploy" / "nameko.yaml")
    # the class by name: a service module also imports the mixins its entrypoints come from
    service_class = f"{service_name}.service:{service_name.capitalize()}Service"
    os.execvp(sys.executable, [sys.executable, "-m", "nameko", "run", "--config", config, service_class])


if __name__ == "__main__":
    main(sys.argv[1:])
