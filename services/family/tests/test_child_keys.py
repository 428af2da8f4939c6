"""The clé enfance: its shape, how it is drawn and how what a family types is read."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Invalid

from family import child_keys

keys = st.from_regex(child_keys.SHAPE, fullmatch=True)
spaces = st.text(alphabet=" \t\n", max_size=3)


def test_every_drawn_key_has_the_shape_of_a_cle_enfance():
    for _ in range(2000):
        key = child_keys.generate()
        assert child_keys.SHAPE.fullmatch(key), key
        assert child_keys.parse(key) == key


def test_drawn_keys_differ_from_one_another():
    drawn = [child_keys.generate() for _ in range(2000)]
    assert len(set(drawn)) == len(drawn)


def test_drawn_keys_use_letters_and_digits_after_the_dash():
    tails = "".join(child_keys.generate()[6:] for _ in range(500))
    assert any(symbol.isalpha() for symbol in tails)
    assert any(symbol.isdigit() for symbol in tails)


def test_keys_are_drawn_from_the_secure_random_source(monkeypatch):
    monkeypatch.setattr(child_keys.secrets, "choice", lambda symbols: symbols[-1])
    assert child_keys.generate() == "99999-999999"


@given(keys, spaces, spaces)
def test_a_key_typed_in_lower_case_with_spaces_around_is_recognised(key, before, after):
    assert child_keys.parse(before + key.lower() + after) == key


@given(st.text())
def test_normalising_twice_changes_nothing(text):
    once = child_keys.normalise(text)
    assert child_keys.normalise(once) == once


@given(st.text(max_size=20))
def test_whatever_is_accepted_is_a_well_formed_key(text):
    try:
        key = child_keys.parse(text)
    except Invalid:
        return
    assert child_keys.SHAPE.fullmatch(key)
    assert child_keys.parse(key) == key


@pytest.mark.parametrize("typed", [
    "", "   ", "12345", "1234-ABCDEF", "123456-ABCDE", "12345ABCDEF", "12345 ABCDEF", "12345--ABCDEF",
    "12345-ABCDE!", "12345_ABCDEF", "12345-ABCDEFG", "ABCDE-123456", "12345-ABCDÉF", "１２３４５-ABCDEF",
    "12345 - ABCDEF", None, 12345, ["12345-ABCDEF"],
])
def test_a_key_of_the_wrong_shape_is_refused_with_a_french_explanation(typed):
    with pytest.raises(Invalid) as refused:
        child_keys.parse(typed)
    assert refused.value.code == "invalid_child_key"
    assert "00000-X0X0X0" in refused.value.fields["child_key"]
