import pytest

from billing.numbering import CREDIT_NOTE_NUMBER_SHAPE, INVOICE_NUMBER_SHAPE, credit_note_number, invoice_number, \
    number_in_turn
from billing.periods import Period


def test_invoice_numbers_name_the_month_and_count_within_the_year():
    assert invoice_number(Period(2026, 10), 123) == "F-2026-10-0000123"
    assert INVOICE_NUMBER_SHAPE.match(invoice_number(Period(2026, 1), 9_999_999))
    assert [number for number, _ in number_in_turn(["a", "b", "c"], 41, Period(2026, 11))] == [
        "F-2026-11-0000042", "F-2026-11-0000043", "F-2026-11-0000044"]


def test_credit_notes_have_their_own_yearly_sequence():
    assert credit_note_number(2026, 4) == "AV-2026-0000004"
    assert CREDIT_NOTE_NUMBER_SHAPE.match(credit_note_number(2027, 1))


@pytest.mark.parametrize("sequence", [0, 10_000_000])
def test_a_sequence_out_of_range_is_a_programming_error(sequence):
    with pytest.raises(ValueError):
        invoice_number(Period(2026, 10), sequence)
    with pytest.raises(ValueError):
        credit_note_number(2026, sequence)
