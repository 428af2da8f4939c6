"""Amounts in integer euro cents, written as families read them."""
from babel.numbers import format_decimal


def euros(cents):
    """`1234` → « 12,34 € » (whole euros without decimals: « 650 € »)."""
    if cents % 100 == 0:
        return f"{format_decimal(cents // 100, locale='fr_FR')} €"
    return f"{format_decimal(cents / 100, format='#,##0.00', locale='fr_FR')} €"


def qf(value):
    """A quotient familial, in whole euros: « 1 250 € »."""
    return f"{format_decimal(value, locale='fr_FR')} €"
