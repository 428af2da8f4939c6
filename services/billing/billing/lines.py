"""From a household's billable items (family's `billable_items` v2) to the
lines of its invoice of the month.

Each item is priced on its own day: the tariff in force that day, the
household's quotient familial (QF) that day (so a QF that changes mid-month
gives two prices), its residence. Items of the month billed make the
ordinary lines; items of earlier months billed already are compared with
what the ledger says was billed for them: one that was never billed is
charged now, one that became billable is charged, one that stopped being
billable (a justified absence proved late) is credited back what it was
billed. Whatever happens, an item is billed at most once in all.
"""
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
import uuid

from billing.activities import ACTIVITY_LABELS
from billing.money import euros
from billing.periods import Period

BOOKED, LATE_CANCELLATION = "booked", "late_cancellation"
ABSENCE_UNJUSTIFIED, ABSENCE_JUSTIFIED = "absence_unjustified", "absence_justified"
ITEM_STATUSES = (BOOKED, LATE_CANCELLATION, ABSENCE_UNJUSTIFIED, ABSENCE_JUSTIFIED)

# The kinds of line, in the order they appear for a child and activity.
CHARGE, REGULARISATION, CREDIT = "charge", "regularisation", "credit"

STATUS_WORDS = {
    LATE_CANCELLATION: "annulation tardive",
    ABSENCE_UNJUSTIFIED: "absence non justifiée",
    ABSENCE_JUSTIFIED: "absence justifiée",
}
UNIT_WORDS = {"day": ("jour", "jours"), "half_day": ("demi-journée", "demi-journées"), "stay": ("séjour", "séjours")}
HALF_DAYS = {"day": 2, "half_day": 1}


@dataclass(frozen=True)
class QuotientPeriod:
    value: int
    valid_from: date
    valid_until: date | None
    justified: bool

    def covers(self, day):
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class Item:
    item_id: str
    child_id: uuid.UUID
    child_first_name: str
    activity: str
    price_basis: str
    date: date
    end_date: date | None
    status: str
    billable: bool
    reason: str = ""

    @property
    def days(self):
        return (self.end_date - self.date).days + 1 if self.end_date else 1


@dataclass(frozen=True)
class BillableHousehold:
    household_id: uuid.UUID
    resident: bool
    quotient_familial: tuple[QuotientPeriod, ...]
    items: tuple[Item, ...]

    def quotient_on(self, day):
        """The QF in force on a day, or None when family knows none."""
        return next((entry for entry in reversed(self.quotient_familial) if entry.covers(day)), None)


@dataclass(frozen=True)
class Billed:
    """What the ledger remembers of an item: billable or not when last billed, and the cents it cost in all."""

    item_id: str
    billable: bool
    amount_cents: int


def item_units(item, tariff_basis):
    """How many units of its tariff an item is, as a fraction (numerator, denominator)."""
    if tariff_basis == "stay":
        return 1, 1
    half_days = item.days * 2 if item.price_basis == "stay" else HALF_DAYS[item.price_basis]
    return half_days, HALF_DAYS[tariff_basis]


def item_price(item, price):
    """The cents one item costs at a unit price, rounded half up."""
    numerator, denominator = item_units(item, price.price_basis)
    return (price.unit_price_cents * numerator * 2 + denominator) // (2 * denominator)


def price_item(household, item, book):
    tariff = book.in_force(item.activity, item.date)
    quotient = household.quotient_on(item.date)
    return tariff.price(quotient.value if quotient else None, quotient.justified if quotient else False,
                        household.resident)


@dataclass(frozen=True)
class Line:
    child_id: uuid.UUID
    child_first_name: str
    activity: str
    kind: str
    status: str
    price_basis: str
    origin: str  # the period the items belong to
    unit_price_cents: int
    items: tuple[tuple[str, date], ...]  # (item id, day), in order of days

    @property
    def quantity(self):
        return len(self.items)

    @property
    def amount_cents(self):
        return self.quantity * self.unit_price_cents

    @property
    def dates(self):
        return tuple(day for _, day in self.items)

    @property
    def activity_label(self):
        return ACTIVITY_LABELS[self.activity]

    @property
    def label(self):
        singular, plural = UNIT_WORDS[self.price_basis]
        count = f"{self.quantity} {singular if self.quantity == 1 else plural}"
        what = f"{self.activity_label} — {self.child_first_name}"
        if self.status in STATUS_WORDS:
            what += f", {STATUS_WORDS[self.status]}"
        month = Period.parse(self.origin).label
        if self.kind == REGULARISATION:
            return f"Régularisation de {month} : {what} ({count})"
        if self.kind == CREDIT:
            return f"Avoir sur {month} : {what} ({count} à {euros(-self.unit_price_cents)})"
        return f"{what} ({count})"


@dataclass(frozen=True)
class Draft:
    """A household's invoice of a month before it has a number, and what the ledger must remember."""

    household_id: uuid.UUID
    period: Period
    lines: tuple[Line, ...]
    ledger: tuple[Billed, ...]  # the new state of every item looked at
    carried: tuple = ()  # carry.CarriedLine: earlier avoirs it takes, after its own lines

    @property
    def total_cents(self):
        return sum(line.amount_cents for line in (*self.lines, *self.carried))

    @property
    def due_date(self):
        return self.period.due_date


def _entries(household, period, book, billed):
    """(line key, item, day, cents) for every item to bill or credit now, and the ledger's new rows."""
    entries, ledger = [], []
    for item in household.items:
        origin = Period(item.date.year, item.date.month)
        before = billed.get(item.item_id)
        if origin == period and before is None:
            kind = CHARGE
        elif origin < period and before is None:
            kind = REGULARISATION
        elif before is not None and before.billable != item.billable:
            kind = REGULARISATION if item.billable else CREDIT
        else:
            continue  # billed already as it stands, or a later month's item
        if kind == CREDIT:
            cents = -before.amount_cents
            ledger.append(Billed(item.item_id, False, 0))
        elif item.billable:
            cents = item_price(item, price_item(household, item, book))
            ledger.append(Billed(item.item_id, True, cents + (before.amount_cents if before else 0)))
        else:
            ledger.append(Billed(item.item_id, False, 0))  # remembered, so a later change is seen
            continue
        entries.append(((item.child_id, item.activity, kind, item.status, item.price_basis, origin.key, cents),
                        item))
    return entries, ledger


def draft_invoice(household, period, book, billed):
    """The household's invoice of `period`, or None when there is nothing to bill nor credit.

    `billed` maps item ids to what the ledger remembers of them (Billed)."""
    entries, ledger = _entries(household, period, book, billed)
    groups = OrderedDict()
    names = {}
    for key, item in entries:
        groups.setdefault(key, []).append(item)
        names.setdefault(item.child_id, item.child_first_name)
    kinds, activities = (CHARGE, REGULARISATION, CREDIT), list(ACTIVITY_LABELS)
    lines = sorted(
        (Line(child_id, names[child_id], activity, kind, status, basis, origin, cents,
              tuple(sorted(((item.item_id, item.date) for item in items), key=lambda pair: (pair[1], pair[0]))))
         for (child_id, activity, kind, status, basis, origin, cents), items in groups.items()),
        key=lambda line: (line.child_first_name, str(line.child_id), activities.index(line.activity),
                          kinds.index(line.kind), line.origin, ITEM_STATUSES.index(line.status),
                          list(UNIT_WORDS).index(line.price_basis), line.dates, line.unit_price_cents))
    if not lines and not ledger:
        return None
    return Draft(household.household_id, period, tuple(lines), tuple(ledger))


def items_outside(households, periods):
    """Items family sent for a month it was not asked about: a fault of the answer."""
    keys = {period.key for period in periods}
    return [item for household in households for item in household.items
            if f"{item.date:%Y-%m}" not in keys]
