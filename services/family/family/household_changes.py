"""What an accepted change of situation does to the household: pure
functions from the request's data and the household as it is (a snapshot of
plain dicts) to the change to apply, with its journal (before → after)."""
from dataclasses import dataclass

from kit.errors import Conflict, Invalid

from family import request_kinds as kinds

MAX_GUARDIANS = 2


@dataclass(frozen=True)
class Change:
    """One change to a household; `before` and `after` are what the journal keeps."""

    what: str
    before: dict
    after: dict
    quotient: dict | None = None         # {"value", "valid_from", "justified"}
    address: dict | None = None          # the new address, with "valid_from"
    new_child: dict | None = None
    new_guardian: dict | None = None
    leaving_guardian_id: str | None = None


def snapshot(household, address=None):
    """The household as the rules read it."""
    return {
        "quotient_familial": household.quotient_familial,
        "address": address,
        "guardians": [{"id": str(g.id), "first_name": g.first_name, "last_name": g.last_name, "email": g.email}
                      for g in household.guardians],
        "children": [{"id": str(c.id), "first_name": c.first_name, "last_name": c.last_name}
                     for c in household.children],
    }


def planned(data, household, quotient_override=None):
    """The Change that `data` (a checked changement de situation) makes to
    `household` (a snapshot); refused when the household cannot take it."""
    change = data["change"]
    if change == kinds.MOVE:
        return Change(change, {"address": household["address"]}, {"address": data["address"]},
                      address={**data["address"], "valid_from": data["moved_on"]})
    if change == kinds.NEW_CHILD:
        child = data["child"]
        return Change(change, {"children": _names(household["children"])},
                      {"children": _names(household["children"]) + [_name(child)]}, new_child=child)
    if change == kinds.NEW_GUARDIAN:
        if len(household["guardians"]) >= MAX_GUARDIANS:
            raise Conflict("Le foyer compte déjà deux responsables.", code="household_full")
        guardian = data["guardian"]
        return Change(change, {"guardians": _names(household["guardians"])},
                      {"guardians": _names(household["guardians"]) + [_name(guardian)]}, new_guardian=guardian)
    if change == kinds.SEPARATION:
        leaving = [g for g in household["guardians"] if g["id"] == data["guardian_id"]]
        if not leaving:
            raise Invalid("Ce responsable ne fait pas partie du foyer.", code="guardian_not_found",
                          fields={"guardian_id": "Choisissez un responsable du foyer."})
        if len(household["guardians"]) == 1:
            raise Conflict("Le foyer doit garder au moins un responsable.", code="last_guardian")
        staying = [g for g in household["guardians"] if g["id"] != data["guardian_id"]]
        return Change(change, {"guardians": _names(household["guardians"])}, {"guardians": _names(staying)},
                      leaving_guardian_id=data["guardian_id"])
    value = data["quotient_familial"] if quotient_override is None else quotient_override
    quotient = {"value": value, "valid_from": data["valid_from"], "justified": True}
    return Change(change, {"quotient_familial": household["quotient_familial"]},
                  {"quotient_familial": value, "valid_from": data["valid_from"]}, quotient=quotient)


def quotient_override(value):
    """The QF an agent sets on acceptance (read on the attestation), if any."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100_000:
        raise Invalid("Le quotient familial est un nombre entier d'euros, entre 0 et 100 000.",
                      code="invalid_quotient_familial", fields={"quotient_familial": "Nombre entier attendu."})
    return value


def _name(person):
    return f"{person['first_name']} {person['last_name']}"


def _names(people):
    return [_name(p) for p in people]
