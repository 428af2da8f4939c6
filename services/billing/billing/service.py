"""BillingService: tariffs, monthly billing runs, invoices and their PDF,
online invoices, payments, refunds.

Each section of entrypoints is a mixin of its own module (billing/entrypoints);
the class assembles them with the dependencies they use.
"""
from billing.data_rights import BillingDataRights
from billing.entrypoints.certificates import CertificateEntrypoints
from billing.entrypoints.direct_debit import DirectDebitEntrypoints
from billing.entrypoints.invoices import InvoiceEntrypoints
from billing.entrypoints.online_invoice import OnlineInvoiceEntrypoints
from billing.entrypoints.online_payment import OnlinePaymentEntrypoints
from billing.entrypoints.payments import PaymentEntrypoints
from billing.entrypoints.refunds import RefundEntrypoints
from billing.entrypoints.runs import RunEntrypoints
from billing.entrypoints.tariffs import TariffEntrypoints
from billing.models import Base
from billing.settings import Settings
from kit.caller import Callers
from kit.db import Database
from kit.metrics import Metrics
from kit.rpc import ServiceRpc


class BillingService(RunEntrypoints, InvoiceEntrypoints, TariffEntrypoints, OnlineInvoiceEntrypoints,
                     PaymentEntrypoints, OnlinePaymentEntrypoints, DirectDebitEntrypoints,
                     CertificateEntrypoints, RefundEntrypoints, BillingDataRights):
    name = "billing"

    db = Database(Base)
    metrics = Metrics()
    callers = Callers()
    settings = Settings()
    family = ServiceRpc("family")
