"""The secrets a deployment gives the parts: refused at start when missing,
left as a placeholder, or too weak, so that no portal runs in production
with the example's values. `make run` and the tests draw strong ones."""
import re

MIN_KEY_BYTES = 32
PLACEHOLDER = re.compile(r"change[-_ ]?me", re.IGNORECASE)  # the convention of deploy/env.example


class RefusedSetting(RuntimeError):
    """A setting a part refuses to start with; the message names it, never its value."""


class WeakSecret(RefusedSetting):
    """A secret setting that must be replaced."""


def check_key(name, value, min_bytes=MIN_KEY_BYTES):
    """`value` when it is a usable key: set, not a placeholder, at least
    `min_bytes` long and not one character repeated."""
    if not value:
        raise WeakSecret(f"{name} is not set: give it a random value of at least {min_bytes} bytes")
    raw = value.encode() if isinstance(value, str) else value
    if isinstance(value, str) and PLACEHOLDER.search(value):
        raise WeakSecret(f"{name} still holds a placeholder: replace it with a random value")
    if len(raw) < min_bytes or len(set(raw)) < 8:
        raise WeakSecret(f"{name} is too weak: use a random value of at least {min_bytes} bytes")
    return value


def check_not_placeholder(name, value):
    if value and PLACEHOLDER.search(value):
        raise WeakSecret(f"{name} still holds a placeholder: replace it")
    return value
