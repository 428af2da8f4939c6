"""The clé enfance: the code the Caisse des écoles hands a family so that it
can open its account and tie it to its household. Shape `DDDDD-XXXXXX`: five
digits, a dash, six upper-case letters or digits."""
import re
import secrets
import string

from kit.errors import Invalid

DIGITS = string.digits
SYMBOLS = string.ascii_uppercase + string.digits
SHAPE = re.compile(r"[0-9]{5}-[A-Z0-9]{6}")
EXAMPLE = "00000-X0X0X0"


def generate():
    """A fresh key from the operating system's secure random source: knowing
    one family's key must not help to guess another's."""
    head = "".join(secrets.choice(DIGITS) for _ in range(5))
    tail = "".join(secrets.choice(SYMBOLS) for _ in range(6))
    return f"{head}-{tail}"


def normalise(text):
    """The key as stored, from what a person typed or pasted."""
    return text.strip().upper()


def parse(text):
    """The normalised key, or Invalid `invalid_child_key`."""
    key = normalise(text) if isinstance(text, str) else None
    if key is None or not SHAPE.fullmatch(key):
        raise Invalid(
            "La clé enfance n'a pas la bonne forme.", code="invalid_child_key",
            fields={"child_key": f"La clé enfance a la forme {EXAMPLE} : 5 chiffres, un tiret, "
                                 "6 lettres ou chiffres."})
    return key
