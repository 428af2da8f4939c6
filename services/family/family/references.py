"""Human references of requests: `D-2026-000123`, numbered per year of
submission (Paris time) without gaps: the number is taken in the transaction
that writes the request, so a refused submission takes none."""
import re

PATTERN = re.compile(r"D-([0-9]{4})-([0-9]{6})")
WIDTH = 6


def reference(year, number):
    if not 1 <= number < 10 ** WIDTH:
        raise ValueError(f"request number {number} out of range")
    return f"D-{year:04d}-{number:0{WIDTH}d}"


def parse(text):
    """`(year, number)` of a reference, or None when `text` is not one."""
    found = PATTERN.fullmatch(text.strip().upper()) if isinstance(text, str) else None
    return (int(found.group(1)), int(found.group(2))) if found else None
