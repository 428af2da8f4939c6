"""The gateway's WSGI application."""
import logging

from flask import Flask, abort, current_app, jsonify, request
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix

from kit import logs
from kit.caller import CallerKey

from gateway import (billing_pages, formatting, franceconnect, health, legal, metrics, pages, safe_pages, schemas,
                     vault_streams)
from gateway import certificate_pages, data_rights_pages
from gateway.data_rights_api import api as _data_rights_api  # noqa: F401 -- the data rights' routes join the API
from gateway.account_api import api  # the account routes join the API blueprint
from gateway.safe_api import api as _  # noqa: F401 -- the safe's routes join the API blueprint too
from gateway.demarches_api import api as _demarches  # noqa: F401 -- so do the requests' (démarches)
from gateway.agent_pages import agent as agent_pages
from gateway.demarches_pages import demarches as demarches_pages
from gateway.activities_api import api as _activities  # noqa: F401 -- the activities' routes join it too
from gateway import activities_pages
from gateway.billing_api import api as _billing  # noqa: F401 -- and billing's
from gateway.auth import call_context, remember_csrf_cookie, request_id
from gateway.errors import to_api_error
from gateway.rpc import ServicePool
from gateway.settings import Settings
from gateway.tokens import AccessTokens, SessionCache

log = logging.getLogger(__name__)


class PortalApi(Api):
    ERROR_SCHEMA = schemas.Error

    def handle_http_exception(self, error):
        return handle_error(error)


def handle_error(exc):
    error = to_api_error(exc)
    if error.status >= 500 and error.status != 503:
        log.exception("unexpected error on %s %s", request.method, request.path, exc_info=exc)
    if request.path.startswith("/api/"):
        return jsonify(error.body()), error.status
    return pages.error_page(error)


def security_headers(response):
    """What every answer says to the browser: nothing private kept in a cache,
    forms sent only to the portal (and FranceConnect, PayFiP), HTTPS for good once served so."""
    config = current_app.config
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", config["CONTENT_SECURITY_POLICY"])
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    if config["SECURE_COOKIES"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    response.headers.setdefault("X-Request-ID", request_id())
    return response


def content_security_policy(settings):
    form_targets = " ".join(["'self'", *([settings.franceconnect_issuer] if settings.franceconnect_issuer else []),
                             settings.payfip_origin])  # Payer en ligne leads to PayFiP
    return (f"default-src 'self'; frame-ancestors 'none'; form-action {form_targets}; base-uri 'none'; "
            "object-src 'none'")


def only_on_ops_port(settings):
    """With OPS_BIND set, /metrics and /healthz are not served on the public port."""
    if settings.ops_bind:
        connection = request.environ.get("gunicorn.socket")
        arrived_on = connection.getsockname()[1] if connection is not None else None
        if arrived_on != int(settings.ops_bind.rsplit(":", 1)[1]):
            abort(404)


def create_app(settings=None, service_pool=None):
    settings = settings or Settings.from_environment()
    app = Flask(__name__)
    app.config.update(
        API_TITLE="Portail famille", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1", OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 64 * 1024,
        SECURE_COOKIES=settings.secure_cookies, SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME=("__Host-" if settings.secure_cookies else "") + "portail_flux",
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.secure_cookies,
        PORTAL_BASE_URL=settings.base_url, CONTENT_SECURITY_POLICY=content_security_policy(settings))
    app.config["PAYFIP_NOTIFY_FROM"] = settings.payfip_notify_from
    app.extensions["caller_key"] = CallerKey(settings.caller_context_key, lifetime=settings.rpc_timeout + 5)
    app.extensions["services"] = service_pool or ServicePool(
        settings.amqp_uri, settings.rpc_pool_size, settings.rpc_timeout, call_context)
    app.extensions["access_tokens"] = AccessTokens(
        lambda: app.extensions["services"].identity, settings.revocation_poll_seconds)
    app.extensions["sessions"] = SessionCache(
        lambda token: app.extensions["services"].identity.verify_token(token), app.extensions["access_tokens"],
        settings.session_cache_seconds)

    portal_api = PortalApi(app, spec_kwargs={"info": {"description": "API du Portail famille de la Caisse des écoles"}})
    portal_api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    portal_api.spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "portail_session"})
    portal_api.register_blueprint(api)
    app.register_blueprint(pages.pages)
    app.register_blueprint(safe_pages.safe)
    app.register_blueprint(legal.legal)
    app.register_blueprint(demarches_pages)
    app.register_blueprint(agent_pages)
    app.register_blueprint(activities_pages.activities)
    app.register_blueprint(billing_pages.billing)
    app.register_blueprint(certificate_pages.certificates)
    app.register_blueprint(data_rights_pages.data_rights)
    vault_streams.init_app(app, settings)
    franceconnect.init_app(app, settings)
    formatting.register(app)

    app.register_error_handler(Exception, handle_error)
    app.before_request(metrics.start_timer)
    app.after_request(metrics.observe)
    app.after_request(remember_csrf_cookie)
    app.after_request(security_headers)
    app.before_request(lambda: logs.bind(request_id=request_id()))
    app.teardown_request(lambda error: logs.clear())

    probe = health.Probe(settings.amqp_uri)

    @app.get("/healthz")
    def healthz():
        only_on_ops_port(settings)
        healthy, report = probe.check()
        return jsonify(report), 200 if healthy else 503

    @app.get("/metrics")
    def prometheus_metrics():
        only_on_ops_port(settings)
        return metrics.exposition()

    if settings.forwarded_for_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.forwarded_for_hops)
    return app
