"""Billing's settings: from the nameko config, then the environment, then defaults for `make run`."""
from dataclasses import dataclass
from datetime import date, datetime

from nameko.extensions import DependencyProvider

from kit.config import portal_base_url, setting

from billing.periods import PARIS


@dataclass(frozen=True)
class BillingSettings:
    run_day: int  # the day of the month the timer bills the month that ended
    run_hour: int  # from this hour (Europe/Paris) on that day
    lookback_months: int  # earlier months re-read for items that arrived late or changed
    reminder_days_before: int  # an unpaid invoice is recalled this many days before its due date
    reminder_days_after: int  # and once more this many days after it
    payfip_client_id: str  # the régie's number at PayFiP (numcli)
    payfip_url: str  # where families are sent to pay (a local simulator in tests and make run)
    payfip_mode: str  # T: test, X: production (TIPI's saisie)
    portal_base_url: str
    creditor_name: str
    creditor_id: str  # SEPA identifiant créancier (ICS)
    creditor_iban: str
    creditor_bic: str
    pdf_font: str  # a TrueType font with its -Bold twin beside it
    today_override: date | None  # BILLING_TODAY: the day a run takes for today (test stacks and demos only)

    def today(self):
        """The day that says which months have ended."""
        return self.today_override or datetime.now(PARIS).date()

    @classmethod
    def from_config(cls, config=None):
        return cls(
            run_day=int(setting(config, "BILLING_RUN_DAY", 2)),
            run_hour=int(setting(config, "BILLING_RUN_HOUR", 6)),
            lookback_months=int(setting(config, "BILLING_LOOKBACK_MONTHS", 3)),
            reminder_days_before=int(setting(config, "BILLING_REMINDER_DAYS_BEFORE", 7)),
            reminder_days_after=int(setting(config, "BILLING_REMINDER_DAYS_AFTER", 7)),
            payfip_client_id=setting(config, "PAYFIP_CLIENT_ID", "123456"),
            payfip_url=setting(config, "PAYFIP_URL", "http://127.0.0.1:8090/tpa/paiement.web"),
            payfip_mode=setting(config, "PAYFIP_MODE", "T"),
            portal_base_url=portal_base_url(config),
            creditor_name=setting(config, "SEPA_CREDITOR_NAME", "Caisse des écoles"),
            creditor_id=setting(config, "SEPA_CREDITOR_ID", "FR72ZZZ123456"),
            creditor_iban=setting(config, "SEPA_CREDITOR_IBAN", "FR7630001007941234567890185"),
            creditor_bic=setting(config, "SEPA_CREDITOR_BIC", "BDFEFRPPCCT"),
            pdf_font=setting(config, "BILLING_PDF_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
            today_override=_day(setting(config, "BILLING_TODAY")),
        )


def _day(value):
    return date.fromisoformat(value) if value else None


class Settings(DependencyProvider):
    def setup(self):
        self.settings = BillingSettings.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.settings
