"""The JSON API of accounts (/api/v1): mobile tokens, e-mail verification,
passwords, contact details, FranceConnect, the security journal, and the
agents' and admins' work on accounts. Identity decides; this only routes."""
from flask import make_response, request

from gateway import schemas
from gateway.api import api, refusals
from gateway.auth import ADMINS, AGENTS, EVERYONE, require, services


def tokens_body(pair):
    return schemas.TokenPair().dump({**pair, "token_type": "Bearer"})


@api.route("/tokens", methods=["POST"])
@api.arguments(schemas.Credentials)
@api.response(200, schemas.TokenPair)
@refusals(401)
def issue_tokens(credentials):
    """Mobile app login: a short-lived access token and a rotating refresh token."""
    return tokens_body(services().identity.issue_tokens(credentials["email"], credentials["password"],
                                                        request.remote_addr))


@api.route("/tokens/refresh", methods=["POST"])
@api.arguments(schemas.RefreshIn)
@api.response(200, schemas.TokenPair)
@refusals(401)
def refresh_tokens(body):
    """A new token pair; the refresh token presented stops working."""
    return tokens_body(services().identity.refresh_tokens(body["refresh_token"]))


@api.route("/email-verifications", methods=["POST"])
@api.arguments(schemas.TokenIn)
@api.response(200, schemas.Account)
@refusals(422)
def verify_email(body):
    """Confirm an e-mail address with the token of the link sent to it."""
    return services().identity.verify_email(body["token"])


@api.route("/me/email-verification", methods=["POST"])
@require(EVERYONE, verified=False)
@api.response(202)
def resend_verification(account):
    """Send the verification link again."""
    services().identity.resend_verification()
    return make_response("", 202)


@api.route("/password-resets", methods=["POST"])
@api.arguments(schemas.EmailIn)
@api.response(202)
def request_password_reset(body):
    """Ask for a reset link; the answer is the same whether or not the account exists."""
    services().identity.request_password_reset(body["email"], request.remote_addr)
    return make_response("", 202)


@api.route("/password-resets/confirm", methods=["POST"])
@api.arguments(schemas.PasswordResetIn)
@api.response(204)
@refusals(422)
def reset_password(body):
    """Choose a new password with the reset link's token; every session ends."""
    services().identity.reset_password(body["token"], body["password"])
    return make_response("", 204)


@api.route("/me/password", methods=["PUT"])
@require(EVERYONE, verified=False)
@api.arguments(schemas.PasswordChangeIn)
@api.response(204)
@refusals(422, 401)
def change_password(body, account):
    """Change one's password; the other sessions end."""
    services().identity.change_password(body["current_password"], body["new_password"])
    return make_response("", 204)


@api.route("/me/contact")
@require(EVERYONE, verified=False)
@api.response(200, schemas.Contact)
def contact(account):
    """The caller's contact details (coordonnées)."""
    return services().identity.get_contact()


@api.route("/me/contact", methods=["PATCH"])
@require(EVERYONE)
@api.arguments(schemas.ContactIn)
@api.response(200, schemas.Contact)
@refusals(422)
def update_contact(body, account):
    """Change the phone number and/or the postal address; what is not sent stays."""
    current = services().identity.get_contact()
    return services().identity.update_contact(body.get("phone", current["phone"]),
                                              body.get("address", current["address"]))


@api.route("/me/email-change", methods=["POST"])
@require(EVERYONE)
@api.arguments(schemas.EmailChangeIn)
@api.response(202)
@refusals(409, 401)
def request_email_change(body, account):
    """Ask to change the e-mail address; a link goes to the new one."""
    services().identity.request_email_change(body["new_email"], body["password"], request.remote_addr)
    return make_response("", 202)


@api.route("/email-changes/confirm", methods=["POST"])
@api.arguments(schemas.TokenIn)
@api.response(200, schemas.Account)
@refusals(422)
def confirm_email_change(body):
    """Confirm the new address with the token of the link sent to it."""
    return services().identity.confirm_email_change(body["token"])


@api.route("/me/franceconnect", methods=["DELETE"])
@require(EVERYONE)
@api.response(200, schemas.Account)
@refusals((422, "un mot de passe est nécessaire"))
def unlink_franceconnect(account):
    """Unlink FranceConnect; needs a usable password."""
    return services().identity.unlink_franceconnect()


@api.route("/me/security-journal")
@require(EVERYONE, verified=False)
@api.response(200, schemas.JournalEntry(many=True))
def my_security_journal(account):
    """Logins, failures, resets, changes on the caller's account."""
    return services().identity.account_journal()


@api.route("/agent/households/<household_id>/accounts")
@require(AGENTS)
@api.response(200, schemas.Account(many=True))
def household_accounts(household_id, account):
    """The accounts attached to a household (agents)."""
    return services().identity.household_accounts(household_id)


@api.route("/agent/accounts/<account_id>/detach", methods=["POST"])
@require(AGENTS)
@api.response(200, schemas.Account)
@refusals(404, 403)
def detach_account(account_id, account):
    """Detach an account from its household (agents)."""
    return services().identity.detach_account(account_id)


@api.route("/agent/accounts/<account_id>/deactivate", methods=["POST"])
@require(AGENTS)
@api.response(200, schemas.Account)
@refusals(404, 403)
def deactivate_account(account_id, account):
    """Deactivate an account; its sessions end (agents for families, admins for agents)."""
    return services().identity.set_account_active(account_id, False)


@api.route("/agent/accounts/<account_id>/reactivate", methods=["POST"])
@require(AGENTS)
@api.response(200, schemas.Account)
@refusals(404, 403)
def reactivate_account(account_id, account):
    """Reactivate an account (agents for families, admins for agents)."""
    return services().identity.set_account_active(account_id, True)


@api.route("/admin/agents")
@require(ADMINS)
@api.response(200, schemas.Account(many=True))
def agents(account):
    """Agents and admins (admins)."""
    return [found for role in ("agent", "admin") for found in services().identity.list_accounts(role)]


@api.route("/admin/agents", methods=["POST"])
@require(ADMINS)
@api.arguments(schemas.AgentIn)
@api.response(201, schemas.Account)
@refusals(422, 409, 403)
def create_agent(body, account):
    """Create an agent or an admin (admins)."""
    return services().identity.create_agent(body["email"], body["password"], body["role"])


@api.route("/admin/security-journal")
@require(ADMINS)
@api.response(200, schemas.JournalEntry(many=True))
def security_journal(account):
    """Every account's security journal (admins)."""
    return services().identity.security_journal()
