"""Event handlers that never lose an event and never spin on one.

    @event_handler("billing", "invoice_ready")
    def on_invoice_ready(self, payload): ...

Only events the portal itself sent are handled: each carries the seal of its
producer's outbox relay (kit.caller); an event without a good seal is parked
at once, unread.

An event whose handling fails (identity or the database away) is tried again
later, after 5 s, 30 s then 5 min, through retry queues whose messages expire
back into the handler's queue (RabbitMQ's dead-lettering, no plugin needed);
after the last try, or at once when the handler raises Unprocessable (no retry
would ever make it readable), it is parked in `<handler queue>.dead`, counted
in `portail_events_dead_lettered_total` and logged. Nothing is requeued hot.
Parked events can be sent back once the cause is fixed:

    python -m kit.consumers replay evt-billing-invoice_ready--notify.on_invoice_ready
"""
import logging
import sys

from kombu import Connection, Queue
from kombu.common import maybe_declare
from nameko.constants import AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY
from nameko.events import EventHandler as NamekoEventHandler

from kit.caller import SEAL_HEADER, CallerKey
from kit.config import setting
from kit.metrics import EVENTS_DEAD_LETTERED, EVENTS_RETRIED

log = logging.getLogger(__name__)

RETRY_DELAYS = "5,30,300"  # seconds before each new try (EVENT_RETRY_DELAYS)
ATTEMPTS_HEADER = "x-portail-attempts"


class Unprocessable(Exception):
    """An event no retry will ever make readable: parked at once."""


def retry_queue(queue_name, delay):
    return Queue(f"{queue_name}.retry.{delay}s", durable=True, queue_arguments={
        "x-message-ttl": delay * 1000, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue_name})


def dead_queue(queue_name):
    return Queue(f"{queue_name}.dead", durable=True)


class EventHandler(NamekoEventHandler):
    def __init__(self, source_service, event_type, **kwargs):
        super().__init__(source_service, event_type, requeue_on_error=False, **kwargs)

    def setup(self):
        super().setup()
        config = self.container.config
        self.connection_settings = {"hostname": config[AMQP_URI_CONFIG_KEY], "ssl": config.get(AMQP_SSL_CONFIG_KEY)}
        delays = [int(delay) for delay in setting(config, "EVENT_RETRY_DELAYS", RETRY_DELAYS).split(",")]
        self.retry_queues = [retry_queue(self.queue.name, delay) for delay in delays]
        self.dead_queue = dead_queue(self.queue.name)
        self.key = CallerKey.from_config(config)
        with Connection(**self.connection_settings) as connection:
            for queue in (*self.retry_queues, self.dead_queue):
                maybe_declare(queue, connection.default_channel)

    def handle_message(self, body, message):
        seal = (message.headers or {}).get(SEAL_HEADER)
        if not self.key.check_seal(seal, self.source_service, self.event_type, body):
            log.error("an unsealed %s event from %s is parked unread", self.event_type, self.source_service)
            self._set_aside(message, self.dead_queue, 1, "unsealed")
            return
        super().handle_message(body, message)

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return
        attempts = int((message.headers or {}).get(ATTEMPTS_HEADER, 0)) + 1
        parked = issubclass(exc_info[0], Unprocessable) or attempts > len(self.retry_queues)
        target = self.dead_queue if parked else self.retry_queues[attempts - 1]
        self._set_aside(message, target, attempts, exc_info[0].__name__)

    def _set_aside(self, message, target, attempts, reason):
        try:
            with Connection(**self.connection_settings) as connection:
                connection.Producer().publish(
                    message.body, exchange="", routing_key=target.name, content_type=message.content_type,
                    content_encoding=message.content_encoding, delivery_mode=2,
                    headers={**(message.headers or {}), ATTEMPTS_HEADER: attempts})
        except Exception:  # the broker is away: the event goes back to its queue, nothing is lost
            log.warning("could not set aside a failed %s event; it goes back to its queue", self.event_type,
                        exc_info=True)
            self.queue_consumer.requeue_message(message)
            return
        labels = (self.container.service_name, self.source_service, self.event_type)
        if target is self.dead_queue:
            EVENTS_DEAD_LETTERED.labels(*labels).inc()
            log.error("%s event parked in %s after %d tries: %s", self.event_type, target.name, attempts, reason)
        else:
            EVENTS_RETRIED.labels(*labels).inc()
            log.warning("%s event will be tried again in %s (try %d failed: %s)", self.event_type,
                        target.name.rsplit(".", 1)[1], attempts, reason)
        self.queue_consumer.ack_message(message)


event_handler = EventHandler.decorator


def replay(queue_name, amqp_uri=None):
    """Sends the events parked for a handler back to its queue, with their tries counted afresh."""
    moved = 0
    with Connection(amqp_uri or setting(None, "AMQP_URI", "amqp://guest:guest@localhost:5672/")) as connection:
        source = dead_queue(queue_name)(connection.default_channel)
        producer = connection.Producer()
        while (message := source.get(no_ack=False)) is not None:
            headers = {k: v for k, v in (message.headers or {}).items() if k != ATTEMPTS_HEADER}
            producer.publish(message.body, exchange="", routing_key=queue_name, content_type=message.content_type,
                             content_encoding=message.content_encoding, delivery_mode=2, headers=headers)
            message.ack()
            moved += 1
    return moved


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "replay":
        raise SystemExit("usage: python -m kit.consumers replay <handler queue>")
    print(f"{replay(sys.argv[2])} événement(s) renvoyé(s) vers {sys.argv[2]}")
