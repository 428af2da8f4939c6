"""A person's contact details (coordonnées) and e-mail address."""
from nameko.rpc import rpc
from sqlalchemy.exc import IntegrityError

from identity import contact, errors, events, journal, links, passwords, schemas, store, throttling
from identity.entrypoints import steps
from kit.caller import GATEWAY, ROLES, allow

NO_ADDRESS = {"street": None, "postal_code": None, "city": None}


class ContactEntrypoints:
    """Over the service's `db`."""

    @rpc
    @allow(ROLES)
    def get_contact(self, caller):
        with self.db.reading() as session:
            return schemas.contact_of(steps.account_in(session, caller.account_id))

    @rpc
    @allow(ROLES)
    def update_contact(self, caller, phone=None, address=None):
        data, now = schemas.contact_details(phone, address), steps.now()
        with self.db.transaction() as tx:
            account = steps.account_in(tx.session, caller.account_id)
            before = schemas.contact_of(account)
            address = data["address"] or NO_ADDRESS
            account.phone, account.street, account.postal_code, account.city = (
                data["phone"], address["street"], address["postal_code"], address["city"])
            after = schemas.contact_of(account)
            changed = contact.changes(before, after)
            if changed:
                store.add_security_event(tx.session, now, journal.CONTACT_DETAILS_CHANGED, account_id=account.id,
                                         changed=changed)
                tx.record_events([events.contact_details_changed(account, changed)])
        return after

    @rpc
    @allow(ROLES)
    def request_email_change(self, caller, new_email, password, client_ip=None):
        data, client_ip = schemas.email_change(new_email, password), schemas.client_ip(client_ip)
        # Counted before the password is checked: this is no way to guess it either.
        steps.count_request(self.db, steps.now(), (throttling.EMAIL_CHANGE_PER_ACCOUNT, caller.account_id))
        with self.db.reading() as session:
            account = steps.account_in(session, caller.account_id)
        if account.password_hash is None:
            raise errors.password_required()
        if not steps.off_the_hub(passwords.verify, account.password_hash, data["password"]):
            raise errors.wrong_password()
        if data["new_email"] == account.email:
            raise errors.same_email()
        steps.check_email_free(self.db, data["new_email"])
        now = steps.now()
        with self.db.transaction() as tx:
            token = steps.new_link(tx, account, links.EMAIL_CHANGE, data["new_email"], now)
            store.add_security_event(tx.session, now, journal.EMAIL_CHANGE_REQUESTED, account_id=account.id,
                                     client_ip=client_ip, new_email=data["new_email"])
            tx.record_events([events.email_change_requested(account, data["new_email"], token)])

    @rpc
    @allow(parts=(GATEWAY,))
    def confirm_email_change(self, caller, token):
        now = steps.now()
        try:
            with self.db.transaction() as tx:
                link = steps.use_link(tx, links.EMAIL_CHANGE, token, now)
                if store.account_by_email(tx.session, link.email):
                    raise errors.email_taken()
                account, old_email = link.account, link.account.email
                account.email, account.email_verified = link.email, True
                store.add_security_event(tx.session, now, journal.EMAIL_CHANGED, account_id=account.id,
                                         old_email=old_email, new_email=account.email)
                tx.record_events([events.email_changed(account, old_email)])
        except IntegrityError:  # the new address registered meanwhile
            raise errors.email_taken() from None
        return schemas.account(account)
