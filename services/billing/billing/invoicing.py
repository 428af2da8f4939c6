"""From the days a household's children attended to its invoice of the month.

One line per child and activity: the days attended, their number, the unit
price of the household's quotient familial bracket, the amount.
"""
import re
import uuid
from dataclasses import dataclass
from datetime import date

from kit.errors import Invalid

from billing.periods import Period
from billing.pricing import ACTIVITY_LABELS, TariffGrid

INVOICE_NUMBER_SHAPE = re.compile(r"F-[0-9]{4}-[0-9]{2}-[0-9]{7}\Z")
LARGEST_SEQUENCE = 9_999_999


@dataclass(frozen=True)
class BillableItem:
    child_id: uuid.UUID
    child_first_name: str
    activity: str
    date: date


@dataclass(frozen=True)
class BillableHousehold:
    household_id: uuid.UUID
    quotient_familial: int
    items: tuple[BillableItem, ...]


@dataclass(frozen=True)
class InvoiceLine:
    child_id: uuid.UUID
    child_first_name: str
    activity: str
    dates: tuple[date, ...]
    unit_price_cents: int

    @property
    def activity_label(self):
        return ACTIVITY_LABELS[self.activity]

    @property
    def quantity(self):
        return len(self.dates)

    @property
    def amount_cents(self):
        return self.quantity * self.unit_price_cents

    @property
    def label(self):
        days = "jour" if self.quantity == 1 else "jours"
        return f"{self.activity_label} — {self.child_first_name} ({self.quantity} {days})"


@dataclass(frozen=True)
class InvoiceDraft:
    household_id: uuid.UUID
    period: Period
    lines: tuple[InvoiceLine, ...]

    @property
    def total_cents(self):
        return sum(line.amount_cents for line in self.lines)

    @property
    def due_date(self):
        return self.period.due_date


def draft_invoice(household, grid: TariffGrid, period: Period):
    days = {}  # (child_id, activity) -> days; a day attended twice is billed once
    first_names = {}
    for item in household.items:
        if item.date not in period:
            raise Invalid(
                f"Le {item.date:%d/%m/%Y} n'est pas dans la période facturée ({period.label}).",
                code="item_outside_period", fields={"date": "Date hors de la période facturée."})
        days.setdefault((item.child_id, item.activity), set()).add(item.date)
        first_names.setdefault(item.child_id, item.child_first_name)
    lines = [
        InvoiceLine(
            child_id=child_id, child_first_name=first_names[child_id], activity=activity,
            dates=tuple(sorted(dates)),
            unit_price_cents=grid.price(activity, household.quotient_familial).unit_price_cents)
        for (child_id, activity), dates in days.items()
    ]
    activity_order = list(ACTIVITY_LABELS)
    lines.sort(key=lambda line: (line.child_first_name, line.child_id, activity_order.index(line.activity)))
    return InvoiceDraft(household.household_id, period, tuple(lines))


def draft_invoices(households, grid, period):
    """Every invoice of the run, or an error before any is saved."""
    return [draft_invoice(household, grid, period) for household in households if household.items]


def invoice_number(period, sequence):
    """`F-2026-10-0000123`: the 123rd invoice of October 2026."""
    if not 1 <= sequence <= LARGEST_SEQUENCE:
        raise ValueError(f"invoice sequence {sequence} out of range for {period.key}")
    return f"F-{period.key}-{sequence:07d}"


def number_new_invoices(drafts, invoiced_households, last_sequence):
    """The drafts of households not invoiced yet this month, each with its
    number, following the last one given this month."""
    new = [draft for draft in drafts if draft.household_id not in invoiced_households]
    return [(invoice_number(draft.period, last_sequence + rank), draft) for rank, draft in enumerate(new, start=1)]
