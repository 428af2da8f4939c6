"""FranceConnect identities: found by the provider's `sub` only, linked to one account each."""
from nameko.rpc import rpc
from sqlalchemy.exc import IntegrityError

from identity import errors, journal, schemas, store, throttling
from identity.entrypoints import steps
from identity.models import FranceConnectLink
from kit.caller import GATEWAY, ROLES, allow


class FranceConnectEntrypoints:
    """Over the service's `db` and `family`."""

    @rpc
    @allow(parts=(GATEWAY,))
    def register_with_franceconnect(self, caller, sub, email, child_key, given_name, family_name):
        data, now = schemas.franceconnect_registration(sub, email, child_key, given_name, family_name), steps.now()
        household_id = steps.household_for(self.db, self.family, data["child_key"],
                                           (throttling.CHILD_KEY_FAILURES_PER_IDENTITY, data["sub"]), now)
        steps.check_email_free(self.db, data["email"])
        with self.db.reading() as session:
            if store.franceconnect_link_by_sub(session, data["sub"]):
                raise errors.franceconnect_already_linked()
        link = FranceConnectLink(sub=data["sub"], given_name=data["given_name"], family_name=data["family_name"],
                                 linked_at=now)
        return schemas.account(steps.open_family_account(self.db, data["email"], household_id, now,
                                                         franceconnect=link))

    @rpc
    @allow(parts=(GATEWAY,))
    def login_with_franceconnect(self, caller, sub, client_ip=None):
        client_ip = schemas.client_ip(client_ip)
        sub, now = schemas.franceconnect_sub(sub), steps.now()
        with self.db.transaction() as tx:
            link = store.franceconnect_link_by_sub(tx.session, sub) if sub else None
            if link is None:
                raise errors.franceconnect_not_linked()
            if not link.account.active:
                raise errors.invalid_credentials()
            steps.logged_in(tx, link.account, now, client_ip, method="franceconnect")
            return steps.open_browser_session(tx, link.account, now)

    @rpc
    @allow(ROLES)
    def link_franceconnect(self, caller, sub, given_name, family_name):
        """Links the FranceConnect identity the gateway has just seen to the person it has just logged in."""
        data, now = schemas.franceconnect_identity(sub, given_name, family_name), steps.now()
        try:
            with self.db.transaction() as tx:
                account = steps.account_in(tx.session, caller.account_id)
                holder = store.franceconnect_link_by_sub(tx.session, data["sub"])
                if holder is not None and holder.account_id != account.id:
                    raise errors.franceconnect_already_linked()
                if account.franceconnect is None:
                    account.franceconnect = FranceConnectLink(linked_at=now, **data)
                else:  # another FranceConnect identity of the same person replaces the first
                    for name, value in dict(data, linked_at=now).items():
                        setattr(account.franceconnect, name, value)
                store.add_security_event(tx.session, now, journal.FRANCECONNECT_LINKED, account_id=account.id)
        except IntegrityError:  # linked to another account meanwhile
            raise errors.franceconnect_already_linked() from None
        return schemas.account(account)

    @rpc
    @allow(ROLES)
    def unlink_franceconnect(self, caller):
        now = steps.now()
        with self.db.transaction() as tx:
            account = steps.account_in(tx.session, caller.account_id)
            if account.password_hash is None:
                raise errors.password_required()
            if account.franceconnect is not None:
                account.franceconnect = None
                store.add_security_event(tx.session, now, journal.FRANCECONNECT_UNLINKED, account_id=account.id)
        return schemas.account(account)
