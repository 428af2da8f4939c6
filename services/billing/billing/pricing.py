"""Prices of the activities by quotient familial (QF) bracket.

A tariff grid gives, for each activity, one unit price per QF bracket. The
brackets of an activity cover every QF from 0 upwards exactly once, and a
bracket code means the same QF range for every activity, so a household's
bracket does not depend on the activity. A new grid of an activity replaces
its previous one as a whole from its `valid_from` day.
"""
from dataclasses import dataclass
from datetime import date

from babel.numbers import format_decimal

from kit.errors import Invalid

# Family owns when the activities run; billing owns their prices and labels.
ACTIVITY_LABELS = {
    "restauration_scolaire": "Restauration scolaire",
    "accueil_du_soir": "Accueil du soir",
    "etude": "Étude surveillée",
    "alsh_mercredi": "Accueil de loisirs du mercredi",
}


def euros(amount):
    return f"{format_decimal(amount, locale='fr_FR')} €"


@dataclass(frozen=True)
class Bracket:
    code: str
    qf_min: int
    qf_max: int | None  # inclusive; None for the open top bracket

    def covers(self, quotient_familial):
        return self.qf_min <= quotient_familial and (self.qf_max is None or quotient_familial <= self.qf_max)

    @property
    def description(self):
        if self.qf_max is None:
            return f"tranche {self.code} (au-delà de {euros(self.qf_min - 1)})"
        return f"tranche {self.code} (de {euros(self.qf_min)} à {euros(self.qf_max)})"

    def reason(self, quotient_familial):
        """Why a household pays this bracket's prices, in the words a family reads."""
        return f"Quotient familial de {euros(quotient_familial)} : {self.description}"


@dataclass(frozen=True)
class Tariff:
    activity: str
    bracket: Bracket
    unit_price_cents: int
    valid_from: date


@dataclass(frozen=True)
class Price:
    activity: str
    quotient_familial: int
    bracket: Bracket
    unit_price_cents: int

    @property
    def activity_label(self):
        return ACTIVITY_LABELS[self.activity]

    @property
    def reason(self):
        return self.bracket.reason(self.quotient_familial)


def check_quotient_familial(quotient_familial):
    if isinstance(quotient_familial, bool) or not isinstance(quotient_familial, int) or quotient_familial < 0:
        raise Invalid(
            "Le quotient familial doit être un nombre entier d'euros, positif ou nul.",
            code="invalid_quotient_familial",
            fields={"quotient_familial": "Nombre entier d'euros, positif ou nul, attendu."})


def check_activity(activity):
    if activity not in ACTIVITY_LABELS:
        raise Invalid(
            f"Activité inconnue de la facturation : « {activity} ».",
            code="unknown_activity", fields={"activity": "Activité inconnue."})


class TariffGrid:
    """The tariffs in force on one day."""

    def __init__(self, tariffs, day):
        self.day = day
        self.by_activity = {}
        for tariff in tariffs:
            self.by_activity.setdefault(tariff.activity, []).append(tariff)
        for activity, grid in self.by_activity.items():
            grid.sort(key=lambda tariff: tariff.bracket.qf_min)
            _check_brackets_cover_every_quotient(activity, [tariff.bracket for tariff in grid])
        _check_brackets_agree_across_activities(self.by_activity)

    @classmethod
    def in_force(cls, tariffs, day):
        """For each activity, its latest grid that started on or before `day`."""
        latest = {}
        for tariff in tariffs:
            if tariff.valid_from <= day and tariff.valid_from >= latest.get(tariff.activity, date.min):
                latest[tariff.activity] = tariff.valid_from
        return cls([t for t in tariffs if latest.get(t.activity) == t.valid_from], day)

    @property
    def activities(self):
        return [activity for activity in ACTIVITY_LABELS if activity in self.by_activity]

    def bracket(self, quotient_familial):
        check_quotient_familial(quotient_familial)
        if not self.by_activity:
            raise self._no_tariff("aucune activité")
        # Brackets agree across activities: any activity's grid answers.
        any_grid = next(iter(self.by_activity.values()))
        return next(tariff.bracket for tariff in any_grid if tariff.bracket.covers(quotient_familial))

    def price(self, activity, quotient_familial):
        check_activity(activity)
        check_quotient_familial(quotient_familial)
        if activity not in self.by_activity:
            raise self._no_tariff(f"« {ACTIVITY_LABELS[activity]} »")
        tariff = next(t for t in self.by_activity[activity] if t.bracket.covers(quotient_familial))
        return Price(activity, quotient_familial, tariff.bracket, tariff.unit_price_cents)

    def prices(self, quotient_familial):
        return [self.price(activity, quotient_familial) for activity in self.activities]

    def _no_tariff(self, what):
        return Invalid(
            f"Aucun tarif en vigueur le {self.day:%d/%m/%Y} pour {what}.", code="no_tariff")


def _check_brackets_cover_every_quotient(activity, brackets):
    """Sorted brackets must run from 0 to the open top with no gap nor overlap."""
    expected_min = 0
    for bracket in brackets:
        if expected_min is None or bracket.qf_min != expected_min:
            raise ValueError(f"brackets of {activity} leave a gap or overlap at QF {bracket.qf_min}")
        expected_min = None if bracket.qf_max is None else bracket.qf_max + 1
    if expected_min is not None:
        raise ValueError(f"brackets of {activity} have no open top bracket")


def _check_brackets_agree_across_activities(by_activity):
    seen = {}
    for activity, grid in by_activity.items():
        for tariff in grid:
            if seen.setdefault(tariff.bracket.code, tariff.bracket) != tariff.bracket:
                raise ValueError(f"bracket {tariff.bracket.code} of {activity} differs from the other activities")
