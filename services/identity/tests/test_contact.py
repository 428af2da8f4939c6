"""Phone numbers: kept in one spelling (E.164), shown as people write them."""
import pytest

from identity import contact


@pytest.mark.parametrize("typed", ["06 12 34 56 78", "0612345678", "06.12.34.56.78", "+33 6 12 34 56 78",
                                   "+33612345678", "0033 6 12 34 56 78", " 06-12-34-56-78 "])
def test_a_french_mobile_number_is_kept_in_e164_however_typed(typed):
    assert contact.normalise_phone(typed) == "+33612345678"


def test_a_landline_and_a_foreign_number_are_accepted():
    assert contact.normalise_phone("01 42 76 40 40") == "+33142764040"
    assert contact.normalise_phone("+32 470 12 34 56") == "+32470123456"


@pytest.mark.parametrize("typed", ["", "abc", "06", "06 12 34", "06 12 34 56 78 90 12", "+33 0 00 00 00 00",
                                   "00000000000", "+999 123"])
def test_something_that_is_no_phone_number_is_refused(typed):
    assert contact.normalise_phone(typed) is None


def test_a_french_number_is_shown_as_the_french_write_it():
    assert contact.display_phone("+33612345678") == "06 12 34 56 78"


def test_a_foreign_number_is_shown_with_its_country_code():
    assert contact.display_phone("+32470123456") == "+32 470 12 34 56"


def test_no_number_shows_nothing():
    assert contact.display_phone(None) is None


def test_changes_name_only_the_details_that_differ():
    address = {"street": "1 rue de la Paix", "postal_code": "75002", "city": "Paris"}
    before = {"email": "a@b.fr", "phone": None, "phone_display": None, "address": address}
    assert contact.changes(before, dict(before)) == []
    assert contact.changes(before, dict(before, phone="+33612345678")) == ["phone"]
    assert contact.changes(before, dict(before, address=None)) == ["address"]
    assert contact.changes(before, dict(before, phone="+33612345678", address=dict(address, city="Lyon"))) == [
        "phone", "address"]
