"""Prometheus metrics of billing: the monthly runs, the invoices they issue, the payments taken
and PayFiP's callbacks; served with kit.metrics' on the service's own port."""
import time

import eopayment
from prometheus_client import Counter, Gauge, Histogram

from billing.allocation import MEANS_LABELS

RUNS = Counter("portail_billing_runs_total", "Billing runs by outcome (success, failed)", ["outcome"])
LAST_RUN_SUCCESS = Gauge("portail_billing_last_run_success_timestamp_seconds",
                         "When a billing run last succeeded (Unix time)")
RUN_DURATION = Histogram("portail_billing_run_duration_seconds", "How long a successful billing run took",
                         buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800))
INVOICES_ISSUED = Counter("portail_billing_invoices_issued_total", "Invoices issued by the billing runs")
PAYMENT_CALLBACKS = Counter(
    "portail_payment_callbacks_total",
    "PayFiP callbacks by outcome: its result (paid, denied, cancelled, ...) or why it was refused",
    ["outcome"])
PAYMENTS = Counter("portail_payments_total", "Payments taken, by means", ["means"])
# eopayment's results, by the names the alerts and the dashboard read
CALLBACK_RESULTS = {eopayment.RECEIVED: "received", eopayment.ACCEPTED: "accepted", eopayment.PAID: "paid",
                    eopayment.DENIED: "denied", eopayment.CANCELLED: "cancelled", eopayment.WAITING: "waiting",
                    eopayment.EXPIRED: "expired", eopayment.ERROR: "error"}

# The known label values start at zero: their series exist, and `increase()` sees the first one.
for outcome in ("success", "failed"):
    RUNS.labels(outcome)
for means in MEANS_LABELS:
    PAYMENTS.labels(means)
for outcome in CALLBACK_RESULTS.values():
    PAYMENT_CALLBACKS.labels(outcome)


def callback_answered(result):
    """The counter of PayFiP's callbacks that said `result` (one of eopayment's)."""
    return PAYMENT_CALLBACKS.labels(CALLBACK_RESULTS.get(result, "error"))


def measured_run(run, *args, **kwargs):
    """`run(*args, **kwargs)`, a billing run that commits its invoices, counted and timed."""
    started = time.monotonic()
    try:
        result = run(*args, **kwargs)
    except Exception:
        RUNS.labels("failed").inc()
        raise
    RUNS.labels("success").inc()
    RUN_DURATION.observe(time.monotonic() - started)
    LAST_RUN_SUCCESS.set_to_current_time()
    INVOICES_ISSUED.inc(result["invoices_created"])
    return result
