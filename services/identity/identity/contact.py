"""Contact details (coordonnées): one spelling of each phone number.

Pure rules: the phone as typed becomes E.164 to keep, and a display form.
"""
import phonenumbers

DEFAULT_REGION = "FR"  # "06 12 34 56 78" is a French mobile number


def normalise_phone(typed):
    """The E.164 form of `typed`, or None when it is not a valid number."""
    try:
        number = phonenumbers.parse(typed, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164):
    """French numbers as the French write them ("06 12 34 56 78"), others with their country code."""
    if e164 is None:
        return None
    number = phonenumbers.parse(e164)
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if phonenumbers.region_code_for_number(number) == DEFAULT_REGION
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)


def changes(before, after):
    """The names of the details that differ, in a stable order."""
    return [name for name in ("phone", "address") if before[name] != after[name]]
