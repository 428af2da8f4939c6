"""The master key's rotation, as an operator runs it:

    python -m vault.keys rotate     re-wraps every data key under VAULT_MASTER_KEY
    python -m vault.keys status     how many data keys each master key wraps

To rotate: set the new key as VAULT_MASTER_KEY and the old one in
VAULT_PREVIOUS_MASTER_KEYS (the service keeps reading documents under both),
run `rotate`, then remove the old key once `status` shows none left under it.
Only the wrapped data keys change, in batches, each row locked while it is
re-wrapped: the objects in the store are not touched.
"""
import sys
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from kit.config import database_url
from kit.db import make_engine
from vault.models import Document
from vault.settings import VaultSettings

BATCH = 500


def rotate(url, keys):
    """Re-wraps under `keys.current` every data key wrapped by another master key."""
    engine = make_engine(url)
    report = {"rewrapped": 0, "already_current": 0}
    try:
        with Session(engine) as session:
            report["already_current"] = len(session.scalars(select(Document.id).where(
                Document.key_id == keys.current.id)).all())
        while True:
            with Session(engine) as session, session.begin():
                query = (select(Document).where(Document.wrapped_key.is_not(None),
                                                Document.key_id != keys.current.id)
                         .order_by(Document.id).limit(BATCH))
                if engine.dialect.name == "postgresql":
                    query = query.with_for_update(skip_locked=True)
                batch = session.scalars(query).all()
                for document in batch:
                    document.wrapped_key, document.key_id = keys.rewrap(
                        document.wrapped_key, document.key_id, document.id)
                report["rewrapped"] += len(batch)
            if len(batch) < BATCH:
                return report
    finally:
        engine.dispose()


def status(url):
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return dict(Counter(session.scalars(select(Document.key_id).where(Document.wrapped_key.is_not(None)))))
    finally:
        engine.dispose()


def main(argv):
    action = argv[0] if argv else ""
    url = database_url("vault")
    if action == "rotate":
        keys = VaultSettings.from_config().keys
        report = rotate(url, keys)
        print(f"{report['rewrapped']} data keys re-wrapped under {keys.current.id}; "
              f"{report['already_current']} were already under it.")
    elif action == "status":
        for key_id, count in sorted(status(url).items()):
            print(f"{key_id}: {count} documents")
    else:
        raise SystemExit("usage: python -m vault.keys {rotate|status}")


if __name__ == "__main__":
    main(sys.argv[1:])
