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

from flask import current_app, g, request
from kit import errors

from gateway.errors import ApiError
from gateway.tokens import looks_like_jwt

SESSION_COOKIE = "portail_session"
CSRF_COOKIE = "portail_csrf"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
FAMILY = ("family",)
AGENTS = ("agent", "admin")
ADMINS = ("admin",)
EVERYONE = FAMILY + AGENTS


def services():
    return current_app.extensions["services"]


def caller_token():
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), False
    return request.cookies.get(SESSION_COOKIE), True


def current_account():
    """The authenticated account, or None; looked up once per request. A
    mobile access token (a JWT) is checked here, a browser session by identity."""
    if "account" not in g:
        token, g.via_cookie = caller_token()
        g.account = None
        if token:
            try:
                g.account = (current_app.extensions["access_tokens"].account(token) if looks_like_jwt(token)
                             else services().identity.verify_token(token))
            except errors.Unauthenticated:
                g.account = None
    return g.account


def csrf_token():
    """The browser's CSRF token, created on first use (set as a cookie after the request)."""
    if "csrf_token" not in g:
        g.csrf_token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    return g.csrf_token


def check_csrf():
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
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
        SESSION_COOKIE, session["token"], httponly=True, samesite="Lax",
        secure=current_app.config["SECURE_COOKIES"], max_age=12 * 3600)


def remember_csrf_cookie(response):
    if "csrf_token" in g and request.cookies.get(CSRF_COOKIE) != g.csrf_token:
        response.set_cookie(CSRF_COOKIE, g.csrf_token, httponly=False, samesite="Lax",
                            secure=current_app.config["SECURE_COOKIES"])
    return response
