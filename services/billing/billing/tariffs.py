"""Prices of the activities: one tariff per activity, versioned, each in force
from its `effective_from` day until the next one of the same activity.

A tariff prices by quotient familial (QF) bracket, or by *taux d'effort*: a
rate of the QF between a floor and a ceiling. It states what one unit costs
(a day, a half-day or a whole stay), the price of households living outside
the commune, and the highest price applies while a household's QF is not
justified. Rules only, no I/O: the store hands in the tariffs, the caller the
household's situation.
"""
from dataclasses import dataclass, field
from datetime import date

from kit.errors import Invalid

from billing.activities import ACTIVITY_LABELS, PRICE_BASES
from billing.money import euros, qf

BRACKETS, EFFORT_RATE = "brackets", "effort_rate"
# Where a version stands on a day: the one that prices it, a later one, or one a later one replaced.
IN_FORCE, UPCOMING, SUPERSEDED = "in_force", "upcoming", "superseded"
# A taux d'effort is written in hundredths of a percent of the QF: 35 is 0.35 %.
RATE_DIVISOR = 10_000


def school_year(day):
    """The school year a day falls in, as agents write it: « 2026-2027 » from 1 September."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


@dataclass(frozen=True)
class Bracket:
    qf_min: int
    qf_max: int | None  # inclusive; None for the open top bracket
    price_cents: int

    def covers(self, quotient_familial):
        return self.qf_min <= quotient_familial and (self.qf_max is None or quotient_familial <= self.qf_max)

    def describe(self, code):
        if self.qf_max is None:
            return f"tranche {code} (à partir de {qf(self.qf_min)})"
        return f"tranche {code} (de {qf(self.qf_min)} à {qf(self.qf_max)})"


def bracket_code(rank):
    return chr(ord("A") + rank)


@dataclass(frozen=True)
class Price:
    """What one unit of an activity costs a household, and why."""

    activity: str
    unit_price_cents: int
    price_basis: str
    rule: str  # bracket, effort_rate, not_justified, non_resident
    reason: str
    bracket: str | None = None

    @property
    def activity_label(self):
        return ACTIVITY_LABELS[self.activity]


def _invalid(message, field_name, code="invalid_tariff"):
    return Invalid(message, code=code, fields={field_name: message})


@dataclass(frozen=True)
class Tariff:
    activity: str
    effective_from: date
    price_basis: str
    kind: str
    brackets: tuple[Bracket, ...] = ()
    effort_rate: int | None = None  # hundredths of a percent of the QF, per unit
    floor_cents: int | None = None
    ceiling_cents: int | None = None
    non_resident_cents: int | None = None  # None: the highest price
    version: int = field(default=1, compare=False)

    def __post_init__(self):
        if self.activity not in ACTIVITY_LABELS:
            raise _invalid(f"Activité inconnue de la facturation : « {self.activity} ».", "activity",
                           code="unknown_activity")
        if self.price_basis not in PRICE_BASES:
            raise _invalid("Le tarif s'entend par jour, par demi-journée ou par séjour.", "price_basis")
        if self.non_resident_cents is not None and self.non_resident_cents < 0:
            raise _invalid("Le tarif hors commune ne peut pas être négatif.", "non_resident_cents")
        if self.kind == BRACKETS:
            self._check_brackets()
        elif self.kind == EFFORT_RATE:
            self._check_effort_rate()
        else:
            raise _invalid("Un tarif est par tranches de quotient familial ou par taux d'effort.", "kind")

    def _check_brackets(self):
        # A fault names the bracket's input ("brackets.1.qf_min"), as the schema names nested ones.
        if not self.brackets:
            raise _invalid("Au moins une tranche de quotient familial est attendue.", "brackets")
        expected_min = 0
        for rank, bracket in enumerate(self.brackets):
            code = bracket_code(rank)
            if expected_min is None:
                raise _invalid(f"La tranche {bracket_code(rank - 1)} n'a pas de plafond de quotient alors que "
                               f"la tranche {code} la suit.", f"brackets.{rank - 1}.qf_max")
            if bracket.qf_min != expected_min:
                raise _invalid(f"Les tranches doivent se suivre sans trou ni chevauchement : la tranche {code} "
                               f"devrait commencer à {qf(expected_min)}.", f"brackets.{rank}.qf_min")
            if bracket.qf_max is not None and bracket.qf_max < bracket.qf_min:
                raise _invalid(f"La tranche {code} finit avant de commencer.", f"brackets.{rank}.qf_max")
            if bracket.price_cents < 0:
                raise _invalid(f"Le prix de la tranche {code} ne peut pas être négatif.",
                               f"brackets.{rank}.price_cents")
            expected_min = None if bracket.qf_max is None else bracket.qf_max + 1
        if expected_min is not None:
            raise _invalid("La dernière tranche doit rester ouverte (sans plafond de quotient).",
                           f"brackets.{len(self.brackets) - 1}.qf_max")

    def _check_effort_rate(self):
        if not isinstance(self.effort_rate, int) or self.effort_rate <= 0:
            raise _invalid("Le taux d'effort doit être un pourcentage positif du quotient familial.", "effort_rate")
        if self.floor_cents is None or self.ceiling_cents is None or not 0 <= self.floor_cents <= self.ceiling_cents:
            raise _invalid("Le prix plancher doit être positif et ne pas dépasser le prix plafond.", "floor_cents")

    @property
    def highest_cents(self):
        if self.kind == BRACKETS:
            return max(bracket.price_cents for bracket in self.brackets)
        return self.ceiling_cents

    @property
    def school_year(self):
        return school_year(self.effective_from)

    def price(self, quotient_familial, justified=True, resident=True):
        """The unit price for a household: outside the commune its tariff;
        without a justified QF the highest; otherwise its bracket or rate."""
        if not resident:
            cents = self.highest_cents if self.non_resident_cents is None else self.non_resident_cents
            return self._price(cents, "non_resident", "Foyer domicilié hors de la commune : tarif extérieur.")
        if quotient_familial is None or not justified:
            return self._price(self.highest_cents, "not_justified",
                               "Quotient familial non justifié : le tarif le plus élevé s'applique.")
        if self.kind == BRACKETS:
            rank, bracket = next((rank, b) for rank, b in enumerate(self.brackets) if b.covers(quotient_familial))
            code = bracket_code(rank)
            return self._price(bracket.price_cents, "bracket",
                               f"Quotient familial de {qf(quotient_familial)} : {bracket.describe(code)}.", code)
        return self._effort_price(quotient_familial)

    def _effort_price(self, quotient_familial):
        # QF in euros × rate in hundredths of a percent → cents, rounded half up.
        raw = (quotient_familial * 100 * self.effort_rate * 2 + RATE_DIVISOR) // (2 * RATE_DIVISOR)
        cents = min(max(raw, self.floor_cents), self.ceiling_cents)
        rate = f"{self.effort_rate / 100:.2f}".replace(".", ",")
        reason = f"Quotient familial de {qf(quotient_familial)} × taux d'effort de {rate} % = {euros(raw)}"
        if raw < self.floor_cents:
            reason += f", relevé au prix plancher de {euros(self.floor_cents)}"
        elif raw > self.ceiling_cents:
            reason += f", ramené au prix plafond de {euros(self.ceiling_cents)}"
        return self._price(cents, "effort_rate", reason + ".")

    def _price(self, cents, rule, reason, bracket=None):
        return Price(self.activity, cents, self.price_basis, rule, reason, bracket)


class TariffBook:
    """Every version of every activity's tariff; which one is in force on a day."""

    def __init__(self, tariffs):
        self.by_activity = {}
        for tariff in tariffs:
            self.by_activity.setdefault(tariff.activity, []).append(tariff)
        for versions in self.by_activity.values():
            versions.sort(key=lambda tariff: tariff.effective_from)

    def in_force(self, activity, day):
        if activity not in ACTIVITY_LABELS:
            raise _invalid(f"Activité inconnue de la facturation : « {activity} ».", "activity",
                           code="unknown_activity")
        current = None
        for tariff in self.by_activity.get(activity, ()):
            if tariff.effective_from > day:
                break
            current = tariff
        if current is None:
            raise Invalid(f"Aucun tarif de « {ACTIVITY_LABELS[activity]} » en vigueur le {day:%d/%m/%Y}.",
                          code="no_tariff")
        return current

    def standing(self, tariff, day):
        """Whether a version prices `day`, will price later days, or was replaced by a later one."""
        if tariff.effective_from > day:
            return UPCOMING
        try:
            current = self.in_force(tariff.activity, day)
        except Invalid:
            return SUPERSEDED
        return IN_FORCE if current.version == tariff.version else SUPERSEDED

    def tariffs_in_force(self, day):
        found = []
        for activity in ACTIVITY_LABELS:
            try:
                found.append(self.in_force(activity, day))
            except Invalid:
                continue
        return found


def check_new_version(tariff, last_billed):
    """What an agent's new version must respect beyond what any stored one does:
    it starts after the last month billed (`last_billed`, a Period or None), so
    that no billed month is priced twice at two prices (items of a billed month
    that arrive late are still priced at its date); and a higher quotient never
    pays less (a price typed in the wrong bracket)."""
    if last_billed is not None and tariff.effective_from <= last_billed.last_day:
        raise _invalid(f"Le mois de {last_billed.label} est déjà facturé : une nouvelle version s'applique au plus "
                       f"tôt le {last_billed.following().first_day:%d/%m/%Y}.", "effective_from",
                       code="month_already_billed")
    for rank, (lower, higher) in enumerate(zip(tariff.brackets, tariff.brackets[1:]), start=1):
        if higher.price_cents < lower.price_cents:
            raise _invalid(f"Le prix de la tranche {bracket_code(rank)} ({euros(higher.price_cents)}) est plus bas "
                           f"que celui de la tranche {bracket_code(rank - 1)} ({euros(lower.price_cents)}) : un "
                           f"quotient familial plus élevé ne paie jamais moins.", f"brackets.{rank}.price_cents")
