"""The journal of a safe, as the family reads it."""
import uuid
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from vault import journal

ME, OTHER = uuid.uuid4(), uuid.uuid4()
AT = datetime(2026, 12, 3, 13, 5, tzinfo=timezone.utc)  # 14:05 in Paris


def entry(action, actor="family", account_id=ME, category="avis_imposition", reference=None):
    return SimpleNamespace(action=action, actor=actor, account_id=account_id, category=category, at=AT,
                           request_reference=reference)


@pytest.mark.parametrize("line, said", [
    (entry("view", "agent", uuid.uuid4(), reference="D-2026-000123"),
     "La Caisse des écoles a consulté votre avis d'imposition le 3 décembre 2026 à 14:05 pour la demande D-2026-000123."),
    (entry("upload"), "Vous avez déposé votre avis d'imposition le 3 décembre 2026 à 14:05."),
    (entry("download", account_id=OTHER), "Un autre responsable du foyer a ouvert votre avis d'imposition le 3 décembre 2026 à 14:05."),
    (entry("share", reference="D-2026-000123", category="attestation_domicile"),
     "Vous avez transmis votre attestation de domicile à la Caisse des écoles le 3 décembre 2026 à 14:05 pour la demande D-2026-000123."),
    (entry("revoke", reference="D-2026-000123"),
     "Vous avez retiré à la Caisse des écoles l'accès à votre avis d'imposition pour la demande D-2026-000123 le 3 décembre 2026 à 14:05."),
    (entry("delete", account_id=None), "Un ancien responsable du foyer a supprimé votre avis d'imposition le 3 décembre 2026 à 14:05 : plus personne ne peut l'ouvrir."),
    (entry("ask", "agent", uuid.uuid4(), category="attestation_caf", reference="D-2026-000124"),
     "La Caisse des écoles vous a demandé une attestation CAF le 3 décembre 2026 à 14:05 pour la demande D-2026-000124."),
    (entry("export", "service", None, category=None), "Le portail a rassemblé vos documents pour l'export de vos données le 3 décembre 2026 à 14:05."),
    (entry("export", category=None), "Vous avez téléchargé l'ensemble de votre coffre-fort le 3 décembre 2026 à 14:05."),
])
def test_each_line_of_the_journal_is_a_french_sentence(line, said):
    assert journal.sentence(line, ME) == said


def test_an_automatic_deletion_says_why():
    said = journal.sentence(entry("retention_delete", "service", None), ME, retention_months=6)
    assert said == ("Le coffre-fort a supprimé votre avis d'imposition le 3 décembre 2026 à 14:05 : "
                    "sa validité avait pris fin depuis plus de 6 mois.")


def test_every_action_has_its_sentence():
    for action in journal.ACTIONS:
        assert journal.sentence(entry(action, reference="D-1"), ME).endswith(".")
