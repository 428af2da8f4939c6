"""The gateway's settings, from the environment, with defaults for `make run`."""
import os
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    amqp_uri: str
    rpc_timeout: float
    rpc_pool_size: int
    secret_key: str
    secure_cookies: bool
    base_url: str
    max_upload_bytes: int

    @classmethod
    def from_environment(cls, environ=os.environ):
        base_url = environ.get("PORTAL_BASE_URL", "http://localhost:8000").rstrip("/")
        return cls(
            amqp_uri=environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/"),
            rpc_timeout=float(environ.get("RPC_TIMEOUT", "10")),
            rpc_pool_size=int(environ.get("RPC_POOL_SIZE", "8")),
            # without a configured key, forms signed by one process are refused by another
            secret_key=environ.get("PORTAL_SECRET_KEY") or secrets.token_hex(32),
            secure_cookies=base_url.startswith("https://"),
            base_url=base_url,
            max_upload_bytes=int(environ.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))),
        )
