import uuid
from datetime import datetime, timezone
from types import SimpleNamespace

from identity import closing


def test_a_closed_account_keeps_its_id_and_nothing_of_the_person():
    account_id = uuid.uuid4()
    account = SimpleNamespace(id=account_id, email="parent@exemple.fr", email_verified=True, password_hash="$argon2id",
                              active=True, household_id=uuid.uuid4(), phone="+33612345678", street="12 rue",
                              postal_code="75005", city="Paris", closed_at=None)
    now = datetime(2026, 12, 2, tzinfo=timezone.utc)
    closing.anonymise(account, now)
    assert vars(account) == {"id": account_id, "email": f"{account_id}@compte-ferme.invalid", "email_verified": False,
                             "password_hash": None, "active": False, "household_id": None, "phone": None,
                             "street": None, "postal_code": None, "city": None, "closed_at": now}


def test_the_counters_kept_under_the_address_or_the_id_are_named():
    account = SimpleNamespace(id="A", email="parent@exemple.fr")
    assert closing.throttle_keys(account) == ["email:parent@exemple.fr", "reset:parent@exemple.fr", "new-email:A",
                                              "verify:A"]
