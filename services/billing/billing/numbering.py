"""Invoice and credit-note numbers: one gapless sequence per calendar year
for each. The store hands out the next values under a lock; these functions
only write them."""
import re

INVOICE_NUMBER_SHAPE = re.compile(r"F-[0-9]{4}-[0-9]{2}-[0-9]{7}\Z")
CREDIT_NOTE_NUMBER_SHAPE = re.compile(r"AV-[0-9]{4}-[0-9]{7}\Z")
LARGEST_SEQUENCE = 9_999_999
INVOICE, CREDIT_NOTE = "invoice", "credit_note"


def _check(sequence, what):
    if not 1 <= sequence <= LARGEST_SEQUENCE:
        raise ValueError(f"{what} sequence {sequence} out of range")


def invoice_number(period, sequence):
    """`F-2026-10-0000123`: the invoice of October 2026 that is the 123rd of the year 2026."""
    _check(sequence, "invoice")
    return f"F-{period.key}-{sequence:07d}"


def credit_note_number(year, sequence):
    """`AV-2026-0000004`: the 4th credit note of 2026."""
    _check(sequence, "credit note")
    return f"AV-{year:04d}-{sequence:07d}"


def number_in_turn(drafts, last_sequence, period):
    """Each draft with its number, following the last one given this year."""
    return [(invoice_number(period, last_sequence + rank), draft) for rank, draft in enumerate(drafts, start=1)]
