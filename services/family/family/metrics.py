"""Prometheus metrics of family: bookings and pre-registrations made, requests (démarches) open by
status; served with kit.metrics' on the service's own port."""
from nameko.timer import timer
from prometheus_client import Counter, Gauge

from family import request_store
from family.activities import ACTIVITIES, Mode
from family.requests import OPEN

BOOKINGS = Counter("portail_bookings_total", "Day bookings made, by activity", ["activity"])
PREREGISTRATIONS = Counter("portail_preregistrations_total", "Pre-registrations made for a stay")
REQUESTS_OPEN = Gauge("portail_requests_open", "Requests (démarches) not yet decided, by status", ["status"])
for code, activity in ACTIVITIES.items():  # at zero from the start: the series exist, `increase()` sees the first
    if activity.mode == Mode.DAY:
        BOOKINGS.labels(code)

OPEN_REQUESTS_TICK = 60  # seconds between two counts of the open requests


class MetricTimers:
    @timer(interval=OPEN_REQUESTS_TICK, eager=True)
    def measure_open_requests(self):
        with self.db.reading() as session:
            counted = request_store.open_by_status(session, OPEN)
        for status in OPEN:
            REQUESTS_OPEN.labels(status.value).set(counted.get(status.value, 0))
