"""Requests (démarches): a family files them and follows them; agents find
households, take requests, ask, accept (applying the change to the household
in the same transaction, journaled) or refuse. Mixed into FamilyService."""
import uuid

from nameko.rpc import rpc

from kit.caller import AGENTS, FAMILY, allow
from kit.errors import Conflict, Invalid
from kit.events import utcnow

from family import events, household_changes, request_kinds as kinds, request_store, request_views as views
from family import quotient, requests, store
from family.bookings import paris_date
from family.models import Request
from family.requests import Action, Status
from family.schemas import household_view

SEARCH_MIN, SEARCH_MAX = 2, 100
RECENT_REQUESTS = 5


class RequestEntrypoints:
    @rpc
    @allow(FAMILY + AGENTS)
    def request_catalogue(self, caller):
        """The kinds a family may file, the changes of situation, the contact subjects, the mandate text."""
        return kinds.catalogue()

    @rpc
    @allow(FAMILY + AGENTS)
    def family_overview(self, caller, household_id=None):
        """Ma famille: guardians, children, address, the QF with its validity
        and source, the latest requests; for agents also the journal."""
        household_id = caller.household(household_id)
        for_agent = caller.role in AGENTS
        with self.db.reading() as session:
            household = store.household(session, household_id)
            periods = request_store.quotient_history(session, household)
            current = quotient.value_on(periods, paris_date(utcnow())) or periods[0]  # one from a later day only
            view = {
                **household_view(household, for_agent=for_agent),
                "address": request_store.current_address(session, household.id),
                "quotient_familial": current.value,
                "quotient_familial_current": views.period_view(current),
                "quotient_familial_history": [views.period_view(p) for p in reversed(periods)],
                "requests": [views.summary(r, for_agent) for r in request_store.requests_of_household(
                    session, household.id, None if for_agent else RECENT_REQUESTS)],
            }
            if for_agent:
                view["journal"] = [{"action": e.action, "actor_id": str(e.actor_id) if e.actor_id else None,
                                    "details": e.details, "occurred_at": e.occurred_at.isoformat()}
                                   for e in store.journal_of_household(session, household.id)]
            return view

    @rpc
    @allow(FAMILY)
    def submit_request(self, caller, kind, data, document_ids=None):
        """Files a request of `kind` for the caller's household."""
        now = utcnow()
        checked = kinds.checked(kind, data, paris_date(now))
        attached = kinds.documents(document_ids, kind, checked)
        with self.db.transaction() as tx:
            household = store.household(tx.session, caller.household_id)
            if kind == kinds.SITUATION:  # refused now rather than on acceptance when the household cannot take it
                household_changes.planned(checked, household_changes.snapshot(household))
            reference = request_store.next_reference(tx.session, paris_date(now).year)
            request = Request(id=uuid.uuid4(), reference=reference, household_id=household.id, kind=kind,
                              status=Status.SUBMITTED, data=checked, document_ids=attached,
                              submitted_by=caller.account_id, created_at=now)
            tx.session.add(request)
            request_store.add_entry(tx.session, request, caller.account_id, "family", Action.SUBMITTED, now,
                                    body=checked.get("message"), document_ids=attached)
            tx.record_events([events.request_submitted(request)])
        return views.detail(request)

    @rpc
    @allow(FAMILY)
    def list_my_requests(self, caller):
        """The household's requests, newest first."""
        with self.db.reading() as session:
            return [views.summary(r) for r in request_store.requests_of_household(session, caller.household_id)]

    @rpc
    @allow(FAMILY + AGENTS)
    def request_detail(self, caller, request_id):
        """A request with its whole timeline: a family's own only."""
        with self.db.reading() as session:
            request = request_store.request_of(session, request_id, self._fence(caller))
            return views.detail(request, caller.role in AGENTS)

    @rpc
    @allow(FAMILY + AGENTS)
    def post_message(self, caller, request_id, body, document_ids=None):
        """A message on an open request. The family's answer to a question
        gives the request back to the Caisse."""
        body = requests.text(body, "body", requests.MESSAGE_MAX, "invalid_message")
        attached = kinds.documents(document_ids, None, {})
        agent = caller.role in AGENTS
        with self.db.transaction() as tx:
            now = utcnow()
            request = request_store.request_of(tx.session, request_id, self._fence(caller), lock=True)
            if not requests.is_open(request.status):
                raise Conflict("Cette demande est close : elle ne reçoit plus de message.", code="request_closed")
            request.document_ids = list(dict.fromkeys([*request.document_ids, *attached]))
            if not agent and request.status == Status.WAITING:
                previous, request.status, request.expected = request.status, Status.IN_REVIEW, None
                entry = request_store.add_entry(tx.session, request, caller.account_id, "family", Action.ANSWERED, now,
                                                body, attached)
                tx.record_events([events.request_status_changed(request, previous)])
            else:
                entry = request_store.add_entry(tx.session, request, caller.account_id, "agent" if agent else "family",
                                                Action.MESSAGE, now, body, attached)
                tx.record_events([events.request_message_posted(request, entry)])
        return views.detail(request, agent)

    @rpc
    @allow(FAMILY)
    def withdraw_request(self, caller, request_id):
        """The family withdraws a request the Caisse has not decided yet."""
        return self._move(caller, request_id, Status.CANCELLED, Action.CANCELLED, "family")

    @rpc
    @allow(AGENTS)
    def search_households(self, caller, text):
        """Households by a guardian's or child's name, a guardian's e-mail or the clé enfance."""
        if not isinstance(text, str) or not SEARCH_MIN <= len(text.strip()) <= SEARCH_MAX:
            raise Invalid(f"Saisissez entre {SEARCH_MIN} et {SEARCH_MAX} caractères.", code="invalid_search",
                          fields={"text": "Nom, prénom, e-mail ou clé enfance."})
        with self.db.reading() as session:
            return [household_view(h, for_agent=True) for h in request_store.search_households(session, text)]

    @rpc
    @allow(AGENTS)
    def request_inbox(self, caller, kind=None, status=None, older_than_days=None, assignee=None):
        """The requests to handle, oldest first, filtered by kind, status, age (days) and assignee ("me", "none")."""
        if kind not in (None, "", *kinds.KIND_LABELS):
            raise Invalid("Type de démarche inconnu.", code="invalid_filter", fields={"kind": "Type inconnu."})
        if status not in (None, "", *Status):
            raise Invalid("Statut inconnu.", code="invalid_filter", fields={"status": "Statut inconnu."})
        if assignee not in (None, "", "me", "none"):
            raise Invalid("Filtre d'agent inconnu.", code="invalid_filter", fields={"assignee": "« me » ou « none »."})
        if older_than_days not in (None, "") and (not isinstance(older_than_days, int) or older_than_days < 0):
            raise Invalid("Ancienneté invalide.", code="invalid_filter",
                          fields={"older_than_days": "Nombre de jours."})
        with self.db.reading() as session:
            return [views.summary(r, for_agent=True) for r in request_store.inbox(
                session, utcnow(), kind or None, status or None,
                older_than_days if older_than_days not in (None, "") else None, assignee or None, caller.account_id)]

    @rpc
    @allow(AGENTS)
    def take_request(self, caller, request_id):
        """The agent takes the request: it is theirs, and in review if it was only received."""
        with self.db.transaction() as tx:
            now = utcnow()
            request = request_store.request_of(tx.session, request_id, lock=True)
            if not requests.is_open(request.status):
                raise Conflict("Cette demande est déjà traitée.", code="request_closed")
            request.assignee_id = caller.account_id
            if request.status == Status.SUBMITTED:
                request.status = requests.move(request.status, Status.IN_REVIEW)
                request_store.add_entry(tx.session, request, caller.account_id, "agent", Action.TAKEN, now)
                tx.record_events([events.request_status_changed(request, Status.SUBMITTED)])
        return views.detail(request, True)

    @rpc
    @allow(AGENTS)
    def ask_question(self, caller, request_id, question):
        """The Caisse asks the family a question: the request waits for its answer."""
        question = requests.text(question, "question", requests.MESSAGE_MAX, "invalid_message", "La question")
        return self._move(caller, request_id, Status.WAITING, Action.QUESTION, "agent", body=question,
                          expected=question)

    @rpc
    @allow(AGENTS)
    def ask_document(self, caller, request_id, category_label, note=None):
        """The Caisse asks the family for a document (vault keeps the ask): the request waits for it."""
        _label, _note, expected = requests.document_ask(category_label, note)
        return self._move(caller, request_id, Status.WAITING, Action.DOCUMENT_ASKED, "agent", body=expected,
                          expected=expected)

    @rpc
    @allow(AGENTS)
    def open_document_request(self, caller, household_id, category, category_label, note=None):
        """A "document demandé" request on the household, waiting for the family."""
        household_id = caller.household(household_id)
        code = requests.text(category, "category", 40, "invalid_document_ask", "La catégorie")
        label, note, expected = requests.document_ask(category_label, note)
        with self.db.transaction() as tx:
            now = utcnow()
            household = store.household(tx.session, household_id)
            reference = request_store.next_reference(tx.session, paris_date(now).year)
            request = Request(id=uuid.uuid4(), reference=reference, household_id=household.id, kind=kinds.DOCUMENT,
                              status=Status.WAITING,
                              data={"category": code, "category_label": label, "note": note}, document_ids=[],
                              assignee_id=caller.account_id, expected=expected, created_at=now)
            tx.session.add(request)
            request_store.add_entry(tx.session, request, caller.account_id, "agent", Action.DOCUMENT_ASKED, now,
                                    expected)
            tx.record_events([events.request_submitted(request)])
        return views.detail(request, True)

    @rpc
    @allow(AGENTS)
    def accept_request(self, caller, request_id, quotient_familial=None):
        """Accepts a request in review; a change of situation is applied to
        the household in the same transaction and journaled (who, when,
        before → after)."""
        override = household_changes.quotient_override(quotient_familial)
        with self.db.transaction() as tx:
            now = utcnow()
            request = request_store.request_of(tx.session, request_id, lock=True)
            previous = request.status
            request.status = requests.move(request.status, Status.ACCEPTED)
            request.decided_at, request.expected, request.assignee_id = now, None, caller.account_id
            news = [events.request_status_changed(request, previous)]
            if request.kind == kinds.SITUATION:
                news += self._apply(tx, caller, request, override, now)
            elif request.kind == kinds.DIRECT_DEBIT:
                news.append(events.direct_debit_accepted(request))
            request_store.add_entry(tx.session, request, caller.account_id, "agent", Action.ACCEPTED, now)
            tx.record_events(news)
        return views.detail(request, True)

    @rpc
    @allow(AGENTS)
    def refuse_request(self, caller, request_id, reason):
        """Refuses a request in review, telling the family why."""
        reason = requests.text(reason, "reason", requests.REASON_MAX, "reason_required", "Le motif du refus")
        return self._move(caller, request_id, Status.REFUSED, Action.REFUSED, "agent", body=reason, reason=reason)

    @rpc
    @allow(parts=("billing",))
    def direct_debit_details(self, caller, request_id):
        """What billing needs to create the SEPA mandate of an accepted request."""
        with self.db.reading() as session:
            request = request_store.request_of(session, request_id)
            if request.kind != kinds.DIRECT_DEBIT or request.status != Status.ACCEPTED:
                raise Conflict("Cette demande n'est pas une demande de prélèvement acceptée.",
                               code="not_an_accepted_direct_debit")
            return {"household_id": str(request.household_id), "request_reference": request.reference,
                    "account_holder": request.data["account_holder"], "iban": request.data["iban"],
                    "bic": request.data["bic"], "signed_on": paris_date(request.created_at).isoformat()}

    @staticmethod
    def _fence(caller):
        """A family reaches its own household's requests only; agents every one."""
        return None if caller.role in AGENTS else caller.household_id

    def _move(self, caller, request_id, target, action, author, body=None, expected=None, reason=None):
        with self.db.transaction() as tx:
            now = utcnow()
            request = request_store.request_of(tx.session, request_id, self._fence(caller), lock=True)
            previous = request.status
            request.status = requests.move(request.status, target)
            request.expected = expected
            if author == "agent":
                request.assignee_id = caller.account_id
            if target in requests.DECIDED:
                request.decided_at, request.decision_reason = now, reason
            request_store.add_entry(tx.session, request, caller.account_id, author, action, now, body)
            tx.record_events([events.request_status_changed(request, previous, body)])
        return views.detail(request, caller.role in AGENTS)

    def _apply(self, tx, caller, request, override, now):
        """In `tx`: the change of situation written to the household, journaled; the events it makes."""
        household = store.household(tx.session, request.household_id)
        address = request_store.current_address(tx.session, household.id)
        change = household_changes.planned(request.data, household_changes.snapshot(household, address), override)
        request_store.apply_change(tx.session, household, change, request, paris_date(now), now)
        store.journal(tx.session, household, caller, "request_accepted", now, request=request.reference,
                      change=change.what, before=change.before, after=change.after)
        return [events.quotient_familial_changed(household.id, change.quotient)] if change.quotient else []
