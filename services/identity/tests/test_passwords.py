"""The password rules a family meets when it chooses one, and how it is kept."""
import timeit
import unicodedata

import pytest
from argon2 import PasswordHasher
from hypothesis import assume, given
from hypothesis import strategies as st

from identity import passwords

PRINTABLE = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
LONG_COMMON = sorted(p for p in passwords.common_passwords() if len(p) >= passwords.MIN_LENGTH)


@pytest.mark.parametrize("password", ["", "a", "court", "Abc-123-xyz"])  # up to 11 characters
def test_a_password_under_twelve_characters_is_refused(password):
    assert passwords.weakness(password) == "Le mot de passe doit contenir au moins 12 caractères."


@given(st.text(PRINTABLE, max_size=passwords.MIN_LENGTH - 1))
def test_any_password_under_twelve_characters_is_refused(password):
    assert "au moins 12 caractères" in passwords.weakness(password)


def test_a_password_over_128_characters_is_refused():
    assert passwords.weakness("Ab1-" * 32) is None  # exactly 128
    assert passwords.weakness("Ab1-" * 32 + "x") == "Le mot de passe ne doit pas dépasser 128 caractères."


@given(st.text(PRINTABLE, min_size=passwords.MAX_LENGTH + 1, max_size=400))
def test_any_password_over_128_characters_is_refused(password):
    assert "dépasser 128 caractères" in passwords.weakness(password)


@pytest.mark.parametrize("password", ["motdepasse123", "azertyuiop123", "qwertyuiop123", "123456789012",
                                      "passwordpassword", "portailfamille", "bienvenue1234"])
def test_a_common_password_is_refused(password):
    assert passwords.weakness(password) == (
        "Ce mot de passe fait partie des plus courants : choisissez-en un plus difficile à deviner.")


@given(st.sampled_from(LONG_COMMON), st.randoms())
def test_a_common_password_is_refused_whatever_its_case(password, random):
    mixed = "".join(c.upper() if random.random() < 0.5 else c for c in password)
    assert "plus courants" in passwords.weakness(mixed)


def test_the_common_list_holds_a_few_hundred_passwords_french_ones_included():
    common = passwords.common_passwords()
    assert len(common) >= 300
    assert {"motdepasse123", "azertyuiop123", "marseille", "soleil", "doudou"} <= common
    assert all(p == p.lower() and p == p.strip() and not p.startswith("#") for p in common)


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", " " * 20, "7" * 128])
def test_a_single_repeated_character_is_refused(password):
    assert passwords.weakness(password) == "Le mot de passe ne doit pas être fait d'un seul caractère répété."


@pytest.mark.parametrize("password", ["Cantine-du-mercredi-2026", "tartine beurrée au goûter",
                                      "Vélo rouge & pluie", "correct horse battery"])
def test_a_long_uncommon_password_is_accepted(password):
    assert passwords.weakness(password) is None


@given(st.text(PRINTABLE, min_size=passwords.MIN_LENGTH, max_size=passwords.MAX_LENGTH))
def test_any_uncommon_password_of_12_to_128_varied_characters_is_accepted(password):
    assume(len(set(password)) > 1 and password.lower() not in passwords.common_passwords())
    assert passwords.weakness(password) is None


def test_length_counts_characters_as_people_see_them():
    decomposed = unicodedata.normalize("NFD", "éléphanté")  # 9 letters, 12 code points
    assert len(decomposed) == 12
    assert "au moins 12" in passwords.weakness(decomposed)


def test_a_password_is_kept_as_an_argon2id_hash_with_its_own_salt():
    first, second = passwords.hash_password("Cantine-du-mercredi"), passwords.hash_password("Cantine-du-mercredi")
    assert first.startswith("$argon2id$")
    assert first != second
    assert "Cantine" not in first


def test_only_the_right_password_verifies():
    stored = passwords.hash_password("Cantine-du-mercredi")
    assert passwords.verify(stored, "Cantine-du-mercredi") is True
    assert passwords.verify(stored, "cantine-du-mercredi") is False
    assert passwords.verify(stored, "") is False


def test_a_password_typed_with_decomposed_accents_still_matches():
    stored = passwords.hash_password(unicodedata.normalize("NFC", "Goûter à l'école"))
    assert passwords.verify(stored, unicodedata.normalize("NFD", "Goûter à l'école")) is True


def test_without_an_account_nothing_verifies_not_even_the_dummy_password():
    assert passwords.verify(None, "aucun compte ne porte ce mot de passe") is False
    assert passwords.verify(None, "Cantine-du-mercredi") is False


def test_checking_a_password_without_an_account_takes_as_long_as_with_one():
    stored = passwords.hash_password("Cantine-du-mercredi")

    def fastest(*args):
        return min(timeit.repeat(lambda: passwords.verify(*args), number=1, repeat=3))

    assert fastest(None, "Pas-le-bon-mot-de-passe") > 0.5 * fastest(stored, "Pas-le-bon-mot-de-passe")


def test_a_damaged_hash_verifies_nothing():
    assert passwords.verify("pas un hash", "Cantine-du-mercredi") is False


def test_a_hash_made_with_weaker_parameters_needs_rehashing():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("Cantine-du-mercredi")
    assert passwords.needs_rehash(weak) is True
    assert passwords.needs_rehash(passwords.hash_password("Cantine-du-mercredi")) is False
