"""Start one service as every deployment does: migrate its store, then hand
over to `nameko run`.

    python -m kit.serve billing
"""
import os
import sys

from kit.config import REPOSITORY
from kit.migrations import upgrade

SERVICES = ("identity", "family", "vault", "billing", "notify")


def main(argv):
    service_name = argv[0] if argv else ""
    if service_name not in SERVICES:
        raise SystemExit(f"usage: python -m kit.serve {{{'|'.join(SERVICES)}}}")
    upgrade(service_name)
    config = os.environ.get("NAMEKO_CONFIG") or str(REPOSITORY / "deploy" / "nameko.yaml")
    os.execvp(sys.executable, [sys.executable, "-m", "nameko", "run", "--config", config, f"{service_name}.service"])


if __name__ == "__main__":
    main(sys.argv[1:])
