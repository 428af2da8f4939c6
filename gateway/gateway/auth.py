"""Who is calling, and what they may touch.

A caller proves who they are with a bearer token (mobile app, scripts) or the
session cookie (browser). A browser's state-changing request must also carry
the CSRF token (double-submit: the `portail_csrf` cookie repeated in a form
field or an `X-CSRF-Token` header), since the browser sends the cookie on its
own.
"""
import functools
import hmac
import secrets
import uuid

from flask import current_app, g, has_request_context, request
from kit import errors, idempotency
from kit.caller import ADMINS, AGENTS, CONTEXT_KEY, FAMILY, GATEWAY, REQUEST_ID_KEY, Caller

from gateway.errors import ApiError
from gateway.tokens import looks_like_jwt

SESSION_COOKIE = "portail_session"
CSRF_COOKIE = "portail_csrf"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
EVERYONE = FAMILY + AGENTS
__all__ = ["ADMINS", "AGENTS", "EVERYONE", "FAMILY"]


def services():
    return current_app.extensions["services"]


def caller_token():
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), False
    return request.cookies.get(cookie_name(SESSION_COOKIE)), True


def current_account():
    """The authenticated account, or None; looked up once per request. A
    mobile access token (a JWT) is checked here, a browser session by identity
    (its answer kept a short while: gateway.tokens.SessionCache)."""
    if "account" not in g:
        token, g.via_cookie = caller_token()
        g.account = None
        if token:
            try:
                g.account = (current_app.extensions["access_tokens"].account(token) if looks_like_jwt(token)
                             else current_app.extensions["sessions"].account(token))
            except errors.Unauthenticated:
                g.account = None
    return g.account


def session_ended(token):
    """The caller's browser session has just ended through this worker: its cached check goes too."""
    if token and not looks_like_jwt(token):
        current_app.extensions["sessions"].forget(token)


def call_context():
    """What every RPC made for this request carries: the person authenticated
    so far (or the gateway alone), signed afresh, and the request id."""
    if not has_request_context():
        return {CONTEXT_KEY: current_app.extensions["caller_key"].sign(Caller(part=GATEWAY))}
    account = g.get("account")
    caller = Caller(part=GATEWAY, request_id=request_id())
    if account is not None:
        caller = Caller(
            part=GATEWAY, account_id=uuid.UUID(account["id"]), role=account["role"],
            household_id=uuid.UUID(account["household_id"]) if account.get("household_id") else None,
            session_id=account.get("session_id"), request_id=caller.request_id)
    context = {CONTEXT_KEY: current_app.extensions["caller_key"].sign(caller), REQUEST_ID_KEY: caller.request_id}
    if request.method == "POST" and request.headers.get("Idempotency-Key"):
        context[idempotency.CONTEXT_KEY] = request.headers["Idempotency-Key"]  # a create a client may retry
    return context


def request_id():
    """The request's id: the reverse proxy's X-Request-ID when it is sane, else a new one."""
    if "request_id" not in g:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if 8 <= len(given) <= 64 and given.replace("-", "").isalnum() else uuid.uuid4().hex
    return g.request_id


def acting_as(account):
    """The calls that follow in this request speak for `account`, which the
    gateway has just authenticated itself (a login in the middle of a flow)."""
    g.account = account


def cookie_name(name):
    """Over HTTPS, `__Host-` cookies: Secure, for this host only, on every path."""
    return ("__Host-" if current_app.config["SECURE_COOKIES"] else "") + name


def csrf_token():
    """The token a browser's forms carry: an HMAC of its session cookie, or,
    before any login, of a random seed kept in a cookie of its own; a token
    taken from one session is worth nothing in another."""
    if "csrf_token" not in g:
        g.csrf_token = _csrf_of(_csrf_binding())
    return g.csrf_token


def _csrf_binding():
    session = request.cookies.get(cookie_name(SESSION_COOKIE))
    if session:
        return "session:" + session
    if "csrf_seed" not in g:
        g.csrf_seed = request.cookies.get(cookie_name(CSRF_COOKIE)) or secrets.token_urlsafe(32)
    return "seed:" + g.csrf_seed


def _csrf_of(binding):
    return hmac.new(current_app.config["SECRET_KEY"].encode(), binding.encode(), "sha256").hexdigest()


def check_csrf():
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    if not hmac.compare_digest(_csrf_of(_csrf_binding()).encode(), sent.encode()):
        raise ApiError(403, "csrf_failed", "La page a expiré : rechargez-la puis recommencez.")


def require(roles, verified=True):
    """Only an account with one of `roles` gets through; others get 401/403.
    A family sees its data only once its e-mail address is verified."""
    def decorator(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            account = current_account()
            if account is None:
                raise ApiError(401)
            if account["role"] not in roles:
                raise ApiError(403)
            if verified and account["role"] == "family" and not account.get("email_verified"):
                raise ApiError(403, "email_not_verified",
                               "Confirmez d'abord votre adresse e-mail grâce au lien que nous vous avons envoyé.")
            if g.via_cookie and request.method not in SAFE_METHODS:
                check_csrf()
            return view(*args, account=account, **kwargs)
        return guarded
    return decorator


def set_session_cookie(response, session):
    response.set_cookie(
        cookie_name(SESSION_COOKIE), session["token"], httponly=True, samesite="Lax",
        secure=current_app.config["SECURE_COOKIES"], max_age=12 * 3600)


def delete_session_cookie(response):
    response.delete_cookie(cookie_name(SESSION_COOKIE), secure=current_app.config["SECURE_COOKIES"])


def remember_csrf_cookie(response):
    """Keeps the seed of a browser not logged in; tells a script using the
    session cookie the token to send back in X-CSRF-Token."""
    if "csrf_seed" in g and request.cookies.get(cookie_name(CSRF_COOKIE)) != g.csrf_seed:
        response.set_cookie(cookie_name(CSRF_COOKIE), g.csrf_seed, httponly=True, samesite="Lax",
                            secure=current_app.config["SECURE_COOKIES"])
    if request.path.startswith("/api/") and request.cookies.get(cookie_name(SESSION_COOKIE)):
        response.headers["X-CSRF-Token"] = csrf_token()
    return response
