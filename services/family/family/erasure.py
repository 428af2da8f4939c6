"""What family keeps of a household once its last account is closed. Pure: no I/O.

The household stays, under its id, with its quotient familial and its
bookings: billing may still have to bill or credit the days they name
within its look-back, and keeps its invoices ten years (billing's data
rights). Who the people were goes: the guardians' rows, the children's
names, exact birth dates and schools.
"""
import datetime as dt


def child_alias(position):
    return f"Enfant {position + 1}"


def anonymise_children(children):
    for child in children:
        child.first_name = child_alias(child.position)
        child.last_name = ""
        # The year alone: an activity's age rules may still read it, nobody is found by it.
        child.birth_date = dt.date(child.birth_date.year, 1, 1)
        child.school = ""


def guardians_named(guardians, email):
    """The guardians known under a closed account's address (compared as identity stores it)."""
    wanted = (email or "").strip().lower()
    return [g for g in guardians if wanted and g.email.strip().lower() == wanted]
