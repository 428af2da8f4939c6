"""Logging in with FranceConnect: the OpenID Connect authorization-code flow
as FranceConnect v2 runs it, with Authlib.

- `state` and `nonce` of 43 characters, kept in the browser's signed session
  cookie, so a callback is only accepted in the browser that started it;
- `acr_values=eidas1`; the ID token's signature (RS256 or ES256, keys from
  the provider's JWKS, fetched again on an unknown `kid`), issuer, audience,
  nonce, expiry and acr are checked by Authlib, the userinfo JWT likewise;
- identities are linked by the provider's `sub`, never by e-mail: an unknown
  `sub` is asked to log in once with its local account, or to create one
  with its clé enfance;
- logging out goes through the provider's end-session endpoint with
  `id_token_hint` and `post_logout_redirect_uri`.
"""
import secrets

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
import requests
from kit import errors
from requests import RequestException

from gateway.auth import acting_as, check_csrf, current_account, services, set_session_cookie

franceconnect = Blueprint("franceconnect", __name__, url_prefix="/franceconnect")
oauth = OAuth()
SCOPES = "openid given_name family_name email"
PENDING = "franceconnect_pending"  # the verified identity waiting to be linked, in the signed session
FLOW_FAILURES = (OAuthError, JoseError, RequestException, KeyError, ValueError)


def init_app(app, settings):
    if not settings.franceconnect_issuer:
        return
    oauth.init_app(app)
    oauth.register(
        "franceconnect",
        client_id=settings.franceconnect_client_id,
        client_secret=settings.franceconnect_client_secret,
        server_metadata_url=f"{settings.franceconnect_issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPES, "token_endpoint_auth_method": "client_secret_post"},
    )
    app.register_blueprint(franceconnect)


def enabled():
    return "franceconnect" in current_app.blueprints


def provider():
    return oauth.create_client("franceconnect")


@franceconnect.get("/connexion")
def start():
    session["franceconnect_linking"] = bool(request.args.get("lier") and current_account())
    return provider().authorize_redirect(
        current_app.config["PORTAL_BASE_URL"] + url_for("franceconnect.callback"),
        state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), acr_values="eidas1")


@franceconnect.get("/retour")
def callback():
    try:
        token = provider().authorize_access_token(
            claims_options={"iss": {"essential": True, "value": provider().load_server_metadata()["issuer"]},
                            "acr": {"essential": True, "value": "eidas1"}})
        identity = verified_userinfo(token)
    except FLOW_FAILURES:
        current_app.logger.warning("FranceConnect login refused", exc_info=True)
        return render_template("franceconnect_erreur.html"), 401
    session["franceconnect_id_token"] = token["id_token"]
    pending = {"sub": token["userinfo"]["sub"], "given_name": identity.get("given_name", ""),
               "family_name": identity.get("family_name", ""), "email": identity.get("email", "")}
    account = current_account()
    if session.pop("franceconnect_linking", False) and account:
        try:
            services().identity.link_franceconnect(pending["sub"], pending["given_name"], pending["family_name"])
        except errors.Conflict as refused:
            return render_template("franceconnect_erreur.html", error=refused), 409
        return redirect(url_for("pages.account", lie=1))
    try:
        opened = services().identity.login_with_franceconnect(pending["sub"], request.remote_addr)
    except errors.NotFound:
        session[PENDING] = pending
        return redirect(url_for("franceconnect.link"))
    response = redirect(url_for("pages.dashboard"))
    set_session_cookie(response, opened)
    return response


def verified_userinfo(token):
    """FranceConnect v2 answers userinfo with a JWT signed like the ID token."""
    client = provider()
    answer = requests.get(client.load_server_metadata()["userinfo_endpoint"], timeout=10,
                          headers={"Authorization": f"Bearer {token['access_token']}"})
    answer.raise_for_status()
    keys = KeySet.import_key_set(client.fetch_jwk_set())
    decoded = jwt.decode(answer.text, keys)
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": client.load_server_metadata()["issuer"]},
        sub={"essential": True, "value": token["userinfo"]["sub"]},
    ).validate(decoded.claims)
    return decoded.claims


@franceconnect.route("/lier", methods=["GET", "POST"])
def link():
    """An unknown FranceConnect identity: log in once with the local account, or create one."""
    pending = session.get(PENDING)
    if not pending:
        return redirect(url_for("pages.login"))
    if request.method == "GET":
        return render_template("franceconnect_lier.html", pending=pending, form={})
    check_csrf()
    form = request.form
    try:
        if form.get("choix") == "creer":
            services().identity.register_with_franceconnect(
                pending["sub"], form.get("email", ""), form.get("child_key", ""),
                pending["given_name"], pending["family_name"])
        else:
            opened = services().identity.authenticate(form.get("email", ""), form.get("password", ""),
                                                      request.remote_addr)
            acting_as({**opened["account"], "session_id": opened["session_id"]})
            services().identity.link_franceconnect(pending["sub"], pending["given_name"], pending["family_name"])
        opened = services().identity.login_with_franceconnect(pending["sub"], request.remote_addr)
    except (errors.Invalid, errors.Conflict, errors.Unauthenticated, errors.NotFound) as refused:
        return render_template("franceconnect_lier.html", pending=pending, form=form, error=refused), 422
    session.pop(PENDING, None)
    response = redirect(url_for("pages.dashboard"))
    set_session_cookie(response, opened)
    return response


def logout_url():
    """Where to send the browser after the local logout: FranceConnect's own logout when it logged in there."""
    id_token = session.pop("franceconnect_id_token", None)
    if not (id_token and enabled()):
        return None
    return provider().create_logout_url(
        post_logout_redirect_uri=current_app.config["PORTAL_BASE_URL"] + url_for("pages.login"), id_token_hint=id_token,
        state=secrets.token_urlsafe(32))["url"]
