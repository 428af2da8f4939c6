"""Prometheus metrics of notify: the e-mails that left or were refused for good, how long they took,
and how long the oldest one not yet sent has waited; served with kit.metrics' on the service's own port."""
from prometheus_client import Counter, Gauge, Histogram

from notify import statuses

EMAILS = Counter("portail_notify_emails_total", "E-mails by final status (delivered, failed: refused for good)",
                 ["status"])
DELIVERY_LAG = Histogram("portail_notify_delivery_lag_seconds", "From an e-mail's recording to its delivery",
                         buckets=(1, 5, 15, 60, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600))
OLDEST_UNSENT = Gauge("portail_notify_oldest_unsent_age_seconds",
                      "How long the oldest e-mail neither delivered nor refused for good has waited")

FINAL_STATUS = {statuses.DELIVERED: "delivered", statuses.PERMANENT_FAILURE: "failed"}
for status in FINAL_STATUS.values():  # at zero from the start: the series exist, `increase()` sees the first
    EMAILS.labels(status)


def settled(message, status, sent_at=None):
    """Count a message that just took `status`, once its move is committed."""
    if status in FINAL_STATUS:
        EMAILS.labels(FINAL_STATUS[status]).inc()
    if sent_at is not None:
        DELIVERY_LAG.observe(max((sent_at - message.created_at).total_seconds(), 0))


def measure_unsent(oldest, now):
    """`oldest`: when the oldest unsent e-mail was recorded, or None when none waits."""
    OLDEST_UNSENT.set((now - oldest).total_seconds() if oldest else 0)
