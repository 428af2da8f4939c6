"""/healthz: the broker answers and every service has a consumer on its RPC queue."""
from amqp.exceptions import NotFound
from kombu import Connection
from kombu.exceptions import OperationalError

SERVICES = ("identity", "family", "vault", "billing", "notify")


def check(amqp_uri, timeout=3):
    """(healthy, report) where report says "up" or "down" for the broker and each service."""
    services = dict.fromkeys(SERVICES, "down")
    try:
        with Connection(amqp_uri, connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=1)
            for name in SERVICES:
                services[name] = "up" if _has_consumer(connection, f"rpc-{name}") else "down"
        broker = "up"
    except (OSError, OperationalError):
        broker = "down"
    healthy = broker == "up" and all(state == "up" for state in services.values())
    return healthy, {"broker": broker, "services": services}


def _has_consumer(connection, queue):
    channel = connection.channel()
    try:
        return channel.queue_declare(queue=queue, passive=True).consumer_count > 0
    except NotFound:  # the service never started
        return False
    finally:
        if channel.is_open:
            channel.close()
