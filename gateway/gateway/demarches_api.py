"""Ma famille and the requests (démarches), JSON API (/api/v1): a family
files and follows its requests; agents find households and handle the
inbox. family owns the requests; the documents stay in the vault, which
alone says whose they are and lets agents open what a family shared."""
import time

from kit import errors

from gateway import demarches_schemas as schemas
from gateway.api import api, refusals
from gateway.auth import AGENTS, EVERYONE, FAMILY, require, services
from gateway.schemas import Household

# The vault learns a new request from family's event: a share made at once may come before it.
SHARE_TRIES, SHARE_PAUSE = 20, 0.25


def own_documents(document_ids):
    """`document_ids`, when each is a document of the caller's safe (vault
    answers for the household of the signed caller); NotFound otherwise,
    before anything is written."""
    if document_ids:
        mine = {document["id"] for document in services().vault.list_documents()}
        if not set(document_ids) <= mine:
            raise errors.NotFound("Ce document est introuvable dans votre coffre-fort.", code="document_not_found",
                                  fields={"document_ids": "Choisissez un document de votre coffre-fort."})
    return document_ids


def share_documents(document_ids, request_id):
    """The Caisse may open the documents while the request lasts (vault's shares)."""
    for document_id in document_ids:
        for attempt in range(SHARE_TRIES):
            try:
                services().vault.share_with_request(document_id, request_id)
                break
            except errors.NotFound as refused:
                if refused.code != "request_not_found" or attempt == SHARE_TRIES - 1:
                    raise
                time.sleep(SHARE_PAUSE)


def submit(kind, data, document_ids):
    request = services().family.submit_request(kind, data, own_documents(document_ids))
    share_documents(request["document_ids"], request["id"])
    return request


def post_message(request_id, body, document_ids, agent):
    answered = services().family.post_message(request_id, body, [] if agent else own_documents(document_ids))
    if not agent:
        share_documents(document_ids, answered["id"])
    return answered


def category_label(category):
    for known in services().vault.categories():
        if known["code"] == category:
            return known["label"]
    raise errors.Invalid("Catégorie de document inconnue.", code="unknown_category",
                         fields={"category": "Choisissez une catégorie de la liste."})


def ask_document(request_id, category, note):
    """The vault keeps the ask (the family answers it from its safe); the request waits for the family."""
    request = services().family.request_detail(request_id)
    label = category_label(category)
    services().vault.ask_for_document(request["household_id"], request["id"], request["reference"], category, note)
    return services().family.ask_document(request["id"], label, note)


def open_document_request(household_id, category, note):
    """A "document demandé" request on a household, and the vault's ask for it."""
    label = category_label(category)
    request = services().family.open_document_request(household_id, category, label, note)
    services().vault.ask_for_document(request["household_id"], request["id"], request["reference"], category, note)
    return request


@api.route("/family")
@require(FAMILY)
@api.response(200, schemas.FamilyOverview)
@refusals(401)
def family_overview(account):
    """Ma famille: guardians, children, address, quotient familial with its validity and source, latest requests."""
    return services().family.family_overview()


@api.route("/requests/catalogue")
@require(EVERYONE)
@api.response(200, schemas.Catalogue)
def request_catalogue(account):
    """The kinds of requests, the changes of situation, the contact subjects and the direct-debit mandate text."""
    return services().family.request_catalogue()


@api.route("/requests", methods=["POST"])
@require(FAMILY)
@api.arguments(schemas.RequestIn)
@api.response(201, schemas.RequestDetail)
@refusals(422, 409, (404, "document absent du coffre-fort"))
def submit_request(request_in, account):
    """File a request (changement de situation, prélèvement automatique, contact), with documents of the safe."""
    return submit(request_in["kind"], request_in["data"], request_in["document_ids"])


@api.route("/requests")
@require(FAMILY)
@api.response(200, schemas.RequestSummary(many=True))
def my_requests(account):
    """The household's requests, newest first, with what the Caisse expects."""
    return services().family.list_my_requests()


@api.route("/requests/<request_id>")
@require(EVERYONE)
@api.response(200, schemas.RequestDetail)
@refusals(404)
def request_detail(request_id, account):
    """A request with its whole timeline (a family's own; any for agents)."""
    return services().family.request_detail(request_id)


@api.route("/requests/<request_id>/messages", methods=["POST"])
@require(EVERYONE)
@api.arguments(schemas.MessageIn)
@api.response(201, schemas.RequestDetail)
@refusals(422, (409, "demande close"), 404)
def request_message(message, request_id, account):
    """Write on a request's thread; a family's answer gives the request back to the Caisse."""
    return post_message(request_id, message["body"], message["document_ids"], account["role"] in AGENTS)


@api.route("/requests/<request_id>/withdraw", methods=["POST"])
@require(FAMILY)
@api.response(200, schemas.RequestDetail)
@refusals((409, "déjà décidée"), 404)
def withdraw_request(request_id, account):
    """Withdraw a request the Caisse has not decided yet."""
    return services().family.withdraw_request(request_id)


@api.route("/agent/households")
@require(AGENTS)
@api.arguments(schemas.SearchQuery, location="query")
@api.response(200, Household(many=True))
@refusals(422)
def search_households(query, account):
    """Find households by a guardian's or child's name, an e-mail or the clé enfance (agents)."""
    return services().family.search_households(query["q"])


@api.route("/agent/households/<household_id>")
@require(AGENTS)
@api.response(200, schemas.FamilyOverview)
@refusals(404)
def household_detail(household_id, account):
    """A household: guardians, children, QF history, requests and the journal of changes (agents)."""
    return services().family.family_overview(household_id)


@api.route("/agent/households/<household_id>/document-requests", methods=["POST"])
@require(AGENTS)
@api.arguments(schemas.DocumentAskIn)
@api.response(201, schemas.RequestDetail)
@refusals(422, 404)
def open_document_request_route(ask, household_id, account):
    """Ask a household for a document: a request waiting for the family (agents)."""
    return open_document_request(household_id, ask["category"], ask["note"])


@api.route("/agent/requests")
@require(AGENTS)
@api.arguments(schemas.InboxQuery, location="query")
@api.response(200, schemas.RequestSummary(many=True))
@refusals(422)
def inbox(query, account):
    """The requests to handle, oldest first, by kind, status, age and assignee (agents)."""
    return services().family.request_inbox(query["kind"], query["status"], query["older_than_days"], query["assignee"])


@api.route("/agent/requests/<request_id>/take", methods=["POST"])
@require(AGENTS)
@api.response(200, schemas.RequestDetail)
@refusals(409, 404)
def take_request(request_id, account):
    """Take a request: it is the caller's, and in review (agents)."""
    return services().family.take_request(request_id)


@api.route("/agent/requests/<request_id>/questions", methods=["POST"])
@require(AGENTS)
@api.arguments(schemas.QuestionIn)
@api.response(200, schemas.RequestDetail)
@refusals(422, 409, 404)
def ask_question(question, request_id, account):
    """Ask the family a question: the request waits for its answer (agents)."""
    return services().family.ask_question(request_id, question["question"])


@api.route("/agent/requests/<request_id>/document-request", methods=["POST"])
@require(AGENTS)
@api.arguments(schemas.DocumentAskIn)
@api.response(200, schemas.RequestDetail)
@refusals(422, 409, 404)
def ask_document_route(ask, request_id, account):
    """Ask the family for a document on its request: the request waits for it (agents)."""
    return ask_document(request_id, ask["category"], ask["note"])


@api.route("/agent/requests/<request_id>/accept", methods=["POST"])
@require(AGENTS)
@api.arguments(schemas.AcceptIn)
@api.response(200, schemas.RequestDetail)
@refusals(422, 409, 404)
def accept_request(decision, request_id, account):
    """Accept a request in review; a change of situation is applied to the household (agents)."""
    return services().family.accept_request(request_id, decision["quotient_familial"])


@api.route("/agent/requests/<request_id>/refuse", methods=["POST"])
@require(AGENTS)
@api.arguments(schemas.RefuseIn)
@api.response(200, schemas.RequestDetail)
@refusals(422, 409, 404)
def refuse_request(decision, request_id, account):
    """Refuse a request in review, with the reason the family will read (agents)."""
    return services().family.refuse_request(request_id, decision["reason"])
