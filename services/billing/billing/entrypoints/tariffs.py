"""Tariffs: agents add versions (never change one), families simulate their prices."""
from datetime import date, datetime

from nameko.rpc import rpc

from kit.caller import AGENTS, FAMILY, PARTS, allow
from kit.errors import Invalid
from kit.events import utcnow

from billing import schemas, store
from billing.periods import PARIS
from billing.tariffs import TariffBook, check_new_version


class TariffEntrypoints:
    @rpc
    @allow(FAMILY + AGENTS, parts=PARTS)
    def simulate(self, caller, quotient_familial, resident=True, justified=True):
        """Each activity's price for a QF today, which bracket or rate applies, and why."""
        quotient_familial = schemas.quotient_familial(quotient_familial)
        today = datetime.now(PARIS).date()
        with self.db.reading() as session:
            tariffs = TariffBook(store.tariffs(session)).tariffs_in_force(today)
        prices = [tariff.price(quotient_familial, bool(justified), bool(resident)) for tariff in tariffs]
        bracket = next((price for price in prices if price.bracket), None)
        return {
            "quotient_familial": quotient_familial,
            "on": today.isoformat(),
            "bracket": bracket.bracket if bracket else None,
            "reason": bracket.reason.rstrip(".") if bracket else None,
            "tariffs": [schemas.price_view(price) for price in prices],
        }

    @rpc
    @allow(FAMILY + AGENTS)
    def list_tariffs(self, caller, on=None):
        """The tariffs in force on a day (today by default), and every version of every activity's
        tariff: where it stands that day, who added it and when."""
        day = datetime.now(PARIS).date() if on in (None, "") else _day(on)
        with self.db.reading() as session:
            history = store.tariff_history(session)
        book = TariffBook(tariff for tariff, _, _ in history)
        return {"on": day.isoformat(), "in_force": schemas.TariffView(many=True).dump(book.tariffs_in_force(day)),
                "versions": schemas.tariff_history(history, book, day)}

    @rpc
    @allow(AGENTS)
    def add_tariff(self, caller, tariff):
        """A new version of an activity's tariff, in force from its date, which falls after the last billed month."""
        if not isinstance(tariff, dict):
            raise Invalid("Tarif attendu.", code="invalid_tariff")
        with self.db.transaction() as tx:
            version = store.next_tariff_version(tx.session, tariff.get("activity"))
            new = schemas.tariff(tariff, version)
            check_new_version(new, store.last_billed_period(tx.session))
            store.add_tariff(tx.session, new, caller, utcnow())
        return schemas.TariffView().dump(new)


def _day(value):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Invalid("Date au format AAAA-MM-JJ attendue.", code="invalid_date",
                      fields={"on": "Date au format AAAA-MM-JJ attendue."}) from None
