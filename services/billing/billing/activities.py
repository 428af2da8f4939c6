"""The nine activities the Caisse des écoles bills, as families read them.

Family owns when the activities run; billing owns their prices and labels.
"""
ACTIVITY_LABELS = {
    "restauration_scolaire": "Restauration scolaire",
    "accueil_du_soir": "Accueil du soir",
    "etude": "Étude surveillée",
    "alsh_mercredi": "Accueil de loisirs du mercredi",
    "alsh_vacances": "Accueil de loisirs des vacances",
    "cis_mercredi": "Centre d'initiation sportive du mercredi",
    "cis_vacances": "Centre d'initiation sportive des vacances",
    "mini_sejour": "Mini-séjour",
    "centre_vacances": "Centre de vacances",
}
ACTIVITIES = tuple(ACTIVITY_LABELS)

# Bons CAF pay holiday stays only (the brochure: « uniquement pour les séjours vacances et les mini-séjours »).
STAYS = frozenset({"mini_sejour", "centre_vacances"})

PRICE_BASES = {"day": "par jour", "half_day": "par demi-journée", "stay": "par séjour"}
