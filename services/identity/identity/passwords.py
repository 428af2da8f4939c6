"""Passwords: which ones a person may choose, and how they are kept (argon2id).

Pure rules, no storage: the service keeps the hash this module makes.
"""
import unicodedata
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128

# argon2-cffi's defaults follow RFC 9106's recommendation; when they move up in
# a new release, `needs_rehash` tells the service to upgrade a hash at login.
_hasher = PasswordHasher()


@cache
def common_passwords():
    """The most used passwords (French ones included), lower-cased."""
    text = files("identity").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def weakness(password):
    """Why `password` is refused, in French for the person choosing it; None when it is acceptable."""
    password = _canonical(password)
    if len(password) < MIN_LENGTH:
        return f"Le mot de passe doit contenir au moins {MIN_LENGTH} caractères."
    if len(password) > MAX_LENGTH:
        return f"Le mot de passe ne doit pas dépasser {MAX_LENGTH} caractères."
    if len(set(password)) == 1:
        return "Le mot de passe ne doit pas être fait d'un seul caractère répété."
    if password.lower() in common_passwords():
        return "Ce mot de passe fait partie des plus courants : choisissez-en un plus difficile à deviner."
    return None


def hash_password(password):
    return _hasher.hash(_canonical(password))


def verify(password_hash, password):
    """True when `password` is the one `password_hash` was made from.

    Without a hash (no such account) a dummy hash is checked all the same, so
    that an unknown e-mail address takes as long to refuse as a wrong password.
    """
    try:
        matches = _hasher.verify(password_hash or _dummy_hash(), _canonical(password))
    except (VerificationError, InvalidHashError):
        return False
    return matches and password_hash is not None


def needs_rehash(password_hash):
    return _hasher.check_needs_rehash(password_hash)


@cache
def _dummy_hash():
    return _hasher.hash("aucun compte ne porte ce mot de passe")


def _canonical(password):
    # "é" typed on one device may arrive as one code point, on another as "e" plus
    # an accent: both must be the same password.
    return unicodedata.normalize("NFC", password)
