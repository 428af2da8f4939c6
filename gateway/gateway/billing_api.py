"""Billing's JSON API (/api/v1): a family's invoices with their PDF, the
online-invoice choice, paying online; the agents' invoices, households'
accounts, counter payments, refunds, runs, tariffs, cancellations, SEPA
batches and the bank's return files."""
import base64

from flask import Response

from gateway import billing_schemas as schemas
from gateway.api import api, refusals
from gateway.auth import AGENTS, FAMILY, require, services
from gateway.billing_pages import import_returns, payer_email

REFUSALS = (401, 403, 404, 409, 422)


@api.route("/invoices/<number>/pdf")
@require(FAMILY)
@refusals(*REFUSALS)
@api.response(200, schemas.Pdf)
def invoice_pdf(number, account):
    """One of the caller's invoices as a PDF (base64), the same bytes every time."""
    return services().billing.invoice_pdf(number)


@api.route("/certificates")
@require(FAMILY)
@refusals(*REFUSALS)
@api.response(200, schemas.Certificates)
def certificates(account):
    """The attestations of childcare costs the household can download, one per ended year, with what each
    counts per child; and the year whose attestation comes next (from the 1st of January after it)."""
    return services().billing.list_certificates()


@api.route("/certificates/childcare/<int:year>")
@require(FAMILY)
@refusals(*REFUSALS)
@api.response(200, schemas.Pdf)
def childcare_certificate(year, account):
    """The attestation of childcare costs paid in an ended year, for the tax return (PDF, base64)."""
    return services().billing.childcare_certificate_pdf(year)


@api.route("/certificates/payments")
@require(FAMILY)
@refusals(*REFUSALS)
@api.arguments(schemas.CertificateSpan, location="query")
@api.response(200, schemas.Pdf)
def payment_certificate(span, account):
    """What the household paid from `start` to `end`, per child and activity (PDF, base64)."""
    return services().billing.payment_certificate_pdf(span["start"], span["end"])


@api.route("/invoices/<number>/online-payment", methods=["POST"])
@require(FAMILY)
@refusals(*REFUSALS)
@api.response(201, schemas.OnlinePayment)
def start_online_payment(number, account):
    """Start paying what is due on an invoice by card: the PayFiP address to send the family to."""
    return services().billing.start_online_payment(number, payer_email(account))


@api.route("/online-invoice")
@require(FAMILY)
@refusals(*REFUSALS)
@api.response(200, schemas.OnlineInvoiceView)
def online_invoice(account):
    """Whether the household has opted in to the online invoice, and when it chose."""
    return services().billing.online_invoice()


@api.route("/online-invoice", methods=["PUT"])
@require(FAMILY)
@refusals(*REFUSALS)
@api.arguments(schemas.OnlineInvoice)
@api.response(200, schemas.OnlineInvoice)
def set_online_invoice(choice, account):
    """Opt in to the online invoice (and to paying online), or back to paper."""
    return services().billing.set_online_invoice(choice["opted_in"])


@api.route("/payments")
@require(FAMILY)
@refusals(*REFUSALS)
@api.response(200, schemas.Payment(many=True))
def payments(account):
    """The household's payments, newest first."""
    return services().billing.list_payments()


@api.route("/agent/invoices")
@require(AGENTS)
@refusals(*REFUSALS)
@api.arguments(schemas.InvoiceQuery, location="query")
@api.response(200, schemas.InvoiceSummary(many=True))
def agent_invoices(query, account):
    """Invoices by period, status and household (agents)."""
    return services().billing.search_invoices(**query)


@api.route("/agent/invoices/export")
@require(AGENTS)
@refusals(*REFUSALS)
@api.arguments(schemas.InvoiceQuery, location="query")
@api.response(200, content_type="text/csv", description="one row per invoice")
def agent_export(query, account):
    """The period's invoices as the accounting's CSV (agents)."""
    exported = services().billing.export_period(query["period"])
    return Response(exported["csv"], mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{exported["filename"]}"'})


@api.route("/agent/households/<household_id>/account")
@require(AGENTS)
@refusals(*REFUSALS)
@api.response(200, schemas.HouseholdAccount)
def household_account(household_id, account):
    """One household's invoices, payments and balance (agents)."""
    return services().billing.household_account(household_id)


@api.route("/agent/households/<household_id>/payments", methods=["POST"])
@require(AGENTS)
@refusals(*REFUSALS)
@api.arguments(schemas.CounterPaymentIn)
@api.response(201, schemas.Receipt)
def counter_payment(payment, household_id, account):
    """Record a payment at the counter; answers the receipt (agents)."""
    return services().billing.record_counter_payment(household_id, payment)


@api.route("/agent/households/<household_id>/refunds", methods=["POST"])
@require(AGENTS)
@refusals(*REFUSALS)
@api.arguments(schemas.RefundIn)
@api.response(201, schemas.RefundMade)
def refund(asked, household_id, account):
    """Record a refund of what the household is owed on an invoice, its overpayment then its avoir not carried
    yet, never beyond it; the family is told by e-mail (agents). Send an Idempotency-Key to retry safely."""
    return services().billing.record_refund(household_id, asked)


@api.route("/agent/households/<household_id>/invoices/<number>/cancel", methods=["POST"])
@require(AGENTS)
@refusals(*REFUSALS)
@api.arguments(schemas.CancelIn)
@api.response(200, schemas.InvoiceSummary)
def cancel_invoice(cancel, household_id, number, account):
    """Cancel an invoice nothing was paid on, with a credit note (agents)."""
    return services().billing.cancel_invoice(household_id, number, cancel["reason"])


@api.route("/agent/billing-runs")
@require(AGENTS)
@refusals(*REFUSALS)
@api.response(200, schemas.Run(many=True))
def billing_runs(account):
    """The billing runs, newest first: by whom (or the timer), what they made, how long (agents)."""
    return services().billing.list_runs()


@api.route("/agent/tariffs")
@require(AGENTS)
@refusals(*REFUSALS)
@api.response(200, schemas.Tariffs)
def agent_tariffs(account):
    """Every version of every tariff (where it stands today, who added it and when), and those in force today
    (agents)."""
    return services().billing.list_tariffs()


@api.route("/agent/tariffs", methods=["POST"])
@require(AGENTS)
@refusals(*REFUSALS)
@api.arguments(schemas.TariffIn)
@api.response(201)
def add_tariff(tariff, account):
    """A new version of an activity's tariff, in force from its date, after the last billed month (agents)."""
    return services().billing.add_tariff(tariff)


@api.route("/agent/debit-batches")
@require(AGENTS)
@refusals(*REFUSALS)
@api.response(200, schemas.DebitBatch(many=True))
def debit_batches(account):
    """The SEPA direct-debit batches, newest first (agents)."""
    return services().billing.list_debit_batches()


@api.route("/agent/debit-batches", methods=["POST"])
@require(AGENTS)
@refusals(*REFUSALS)
@api.arguments(schemas.DebitBatchIn)
@api.response(201, schemas.DebitBatch)
def generate_debit_batch(batch, account):
    """The pain.008 file of a due date, for households with an active mandate (agents)."""
    return services().billing.generate_debit_batch(batch["due_date"])


@api.route("/agent/debit-batches/<batch_id>/file")
@require(AGENTS)
@refusals(*REFUSALS)
@api.response(200, content_type="application/xml", description="the pain.008 file")
def debit_batch_file(batch_id, account):
    """The batch's pain.008 XML (agents)."""
    document = services().billing.debit_batch_file(batch_id)
    return Response(base64.b64decode(document["xml"]), mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{document["filename"]}"'})


@api.route("/agent/debit-batches/<batch_id>/sent", methods=["POST"])
@require(AGENTS)
@refusals(*REFUSALS)
@api.response(200, schemas.DebitBatch)
def debit_batch_sent(batch_id, account):
    """The file went to the bank: its debits count as paid until rejected (agents)."""
    return services().billing.mark_debit_batch_sent(batch_id)


@api.route("/agent/debit-rejections", methods=["POST"])
@require(AGENTS)
@refusals(*REFUSALS)
@api.arguments(schemas.RejectionIn)
@api.response(200)
def debit_rejection(rejection, account):
    """A debit the bank rejected: the invoice is owed again, the mandate suspended at the second (agents)."""
    return services().billing.record_debit_rejection(rejection["end_to_end_id"], rejection["reason"])



@api.route("/agent/debit-returns", methods=["POST"])
@require(AGENTS)
@refusals(*REFUSALS, 413)
@api.arguments(schemas.ReturnFileIn, location="files")
@api.response(200, schemas.ReturnReport)
def import_debit_returns(files, account):
    """The bank's return file of a batch (multipart, `file`): each rejected debit in it reversed, its invoice owed
    again and the family told, in one go; a file imported again applies nothing twice (agents)."""
    return import_returns(files["file"])


@api.route("/agent/debit-returns")
@require(AGENTS)
@refusals(*REFUSALS)
@api.response(200, schemas.ReturnFile(many=True))
def debit_return_files(account):
    """The bank's return files imported, newest first, with where their rejections stand (agents)."""
    return services().billing.list_debit_return_files()
