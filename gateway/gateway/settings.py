"""The gateway's settings, from the environment, with defaults for `make run`."""
import os
from ipaddress import ip_network
from urllib.parse import urlsplit
from dataclasses import dataclass

from kit.keys import check_key, check_not_placeholder

# The gateway's capacity, in one place (gunicorn.conf.py reads it too), from the
# measurements of bench/api_load.py (README, "Performance"): the gateway's
# workers mostly wait for the services, so threads (gthread) rather than
# processes; one RPC proxy per thread, so that no thread waits for a proxy.
# The services' own concurrency is `max_workers` in deploy/nameko.yaml
# (NAMEKO_MAX_WORKERS).
GATEWAY_WORKERS = 2
GATEWAY_THREADS = 8


def gateway_threads(environ=os.environ):
    return int(environ.get("GATEWAY_THREADS", str(GATEWAY_THREADS)))


@dataclass(frozen=True)
class Settings:
    amqp_uri: str
    rpc_timeout: float
    rpc_pool_size: int
    secret_key: str
    caller_context_key: str
    ops_bind: str
    secure_cookies: bool
    base_url: str
    max_upload_bytes: int
    revocation_poll_seconds: float
    session_cache_seconds: float
    forwarded_for_hops: int
    franceconnect_issuer: str
    franceconnect_client_id: str
    franceconnect_client_secret: str
    vault_url: str
    payfip_origin: str  # where a family is sent to pay by card: forms may lead there
    payfip_notify_from: tuple  # PayFiP's networks, the only senders of payment notifications (empty: any)

    @classmethod
    def from_environment(cls, environ=os.environ):
        base_url = environ.get("PORTAL_BASE_URL", "http://localhost:8000").rstrip("/")
        return cls(
            amqp_uri=environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/"),
            rpc_timeout=float(environ.get("RPC_TIMEOUT", "10")),
            rpc_pool_size=int(environ.get("RPC_POOL_SIZE", str(gateway_threads(environ)))),
            # one key for every worker and replica: forms signed by one are accepted by another
            secret_key=check_key("PORTAL_SECRET_KEY", environ.get("PORTAL_SECRET_KEY")),
            caller_context_key=check_key("CALLER_CONTEXT_KEY", environ.get("CALLER_CONTEXT_KEY")),
            # /metrics and /healthz answer only on this address when it is set, never on the public one
            ops_bind=environ.get("OPS_BIND", ""),
            secure_cookies=base_url.startswith("https://"),
            base_url=base_url,
            max_upload_bytes=int(environ.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))),
            # how many reverse proxies in front add X-Forwarded-For: the client's address, for throttling
            forwarded_for_hops=int(environ.get("FORWARDED_FOR_HOPS", "0")),
            revocation_poll_seconds=float(environ.get("REVOCATION_POLL_SECONDS", "30")),
            # how long identity's answer for a browser session is kept (revocations still apply at each poll)
            session_cache_seconds=float(environ.get("SESSION_CACHE_SECONDS", "60")),
            franceconnect_issuer=environ.get("FRANCECONNECT_ISSUER", "").rstrip("/"),
            franceconnect_client_id=environ.get("FRANCECONNECT_CLIENT_ID", ""),
            franceconnect_client_secret=check_not_placeholder(
                "FRANCECONNECT_CLIENT_SECRET", environ.get("FRANCECONNECT_CLIENT_SECRET", "")),
            # the vault's HTTP entrypoint inside the cluster, through which documents' bytes stream
            vault_url=environ.get("VAULT_URL", "http://127.0.0.1:8010"),
            payfip_origin=origin(environ.get("PAYFIP_URL", "http://127.0.0.1:8090/tpa/paiement.web")),
            payfip_notify_from=tuple(ip_network(network.strip()) for network in
                                     environ.get("PAYFIP_NOTIFY_FROM", "").split(",") if network.strip()),
        )


def origin(url):
    """`https://www.payfip.gouv.fr/tpa/paiement.web` → `https://www.payfip.gouv.fr`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
