"""Who calls: every RPC between the parts of the portal carries a signed
caller context, and every entrypoint says who may call it.

The broker is not a fence: anything that reaches RabbitMQ could call any
entrypoint. So the gateway, once it has authenticated a person, signs for
each call who that person is (account, role, household, session); for work
done before anyone is logged in (a login, a registration) it signs as itself.
A service calling another signs as itself. The context travels in the
message headers (nameko context data), is signed with the key the parts
share (`CALLER_CONTEXT_KEY`, HMAC-SHA256 as a JWS) and expires within
seconds, so a request its caller gave up on is refused if the broker hands it
over late.

An entrypoint states who may call it in one line, and receives the caller:

    @rpc
    @allow(FAMILY + AGENTS)
    def get_household(self, caller, household_id=None):
        household_id = caller.household(household_id)   # a family's own, always

    @rpc
    @allow(parts=("billing",))                         # another service only
    def billable_items(self, caller, period):
        ...
"""
import functools
import hashlib
import inspect
import json
import time
import uuid
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey
from nameko.exceptions import IncorrectSignature
from nameko.extensions import DependencyProvider

from kit import keys, logs
from kit.config import setting
from kit.errors import Forbidden, Invalid, NotFound, Unauthenticated

CONTEXT_KEY = "caller"  # nameko context data, sent as the header `nameko.caller`
SEAL_HEADER = "nameko.seal"  # the seal of an event, set by the producer's outbox relay
HTTP_HEADER = "X-Portail-Caller"  # the same signed context on an HTTP call inside the cluster (vault's streams)
REQUEST_ID_KEY = "request_id"
GATEWAY = "gateway"
SERVICES = ("identity", "family", "vault", "billing", "notify")
PARTS = (GATEWAY, *SERVICES)

FAMILY = ("family",)
AGENTS = ("agent", "admin")
ADMINS = ("admin",)
ROLES = ("family", "agent", "admin")

# A context lives as long as a call may wait for its answer, plus some clock skew.
DEFAULT_LIFETIME = 15


@dataclass(frozen=True)
class Caller:
    """Who a call is for: a person the gateway authenticated, or a part of
    the portal acting on its own (then `account_id` is None)."""

    part: str
    account_id: uuid.UUID | None = None
    role: str | None = None
    household_id: uuid.UUID | None = None
    session_id: str | None = None
    request_id: str | None = None

    @property
    def is_person(self):
        return self.account_id is not None

    def household(self, requested=None):
        """The household a call may touch: a family's own whatever it names;
        for agents and services, the one named. Another household than a
        family's own is as absent as one that does not exist."""
        if self.role == "family":
            if requested not in (None, "", str(self.household_id), self.household_id):
                raise NotFound("Ce foyer est introuvable.", code="household_not_found")
            return self.household_id
        if requested in (None, ""):
            raise Invalid("Le foyer concerné doit être indiqué.", code="household_required",
                          fields={"household_id": "Ce champ est obligatoire."})
        try:
            return requested if isinstance(requested, uuid.UUID) else uuid.UUID(str(requested))
        except ValueError:
            raise NotFound("Ce foyer est introuvable.", code="household_not_found") from None

    def claims(self, now, lifetime):
        claims = {"iss": self.part, "exp": int(now + lifetime)}
        if self.is_person:
            claims.update(sub=str(self.account_id), rol=self.role, sid=self.session_id)
            if self.household_id is not None:
                claims["hid"] = str(self.household_id)
        if self.request_id:
            claims["rid"] = self.request_id
        return claims


class CallerKey:
    """Signs and checks caller contexts with the key shared by the parts."""

    def __init__(self, secret, lifetime=DEFAULT_LIFETIME):
        keys.check_key("CALLER_CONTEXT_KEY", secret)
        self.key = OctKey.import_key(secret.encode() if isinstance(secret, str) else secret)
        self.lifetime = lifetime

    @classmethod
    def from_config(cls, config=None):
        return cls(setting(config, "CALLER_CONTEXT_KEY"),
                   float(setting(config, "CALLER_CONTEXT_LIFETIME", DEFAULT_LIFETIME)))

    def sign(self, caller, now=None):
        return jwt.encode({"alg": "HS256"}, caller.claims(time.time() if now is None else now, self.lifetime), self.key)

    def verify(self, token, now=None):
        """The Caller a context speaks for, or Unauthenticated when it is
        missing, forged, expired or malformed."""
        if not isinstance(token, str) or not token:
            raise Unauthenticated("Appel refusé : l'appelant n'est pas identifié.", code="caller_missing")
        registry = jwt.JWTClaimsRegistry(
            now=int(time.time() if now is None else now), iss={"essential": True, "values": list(PARTS)},
            exp={"essential": True})
        try:
            claims = jwt.decode(token, self.key, algorithms=["HS256"]).claims
            registry.validate(claims)
            return _caller(claims)
        except ExpiredTokenError:
            raise Unauthenticated("Appel refusé : la demande a expiré.", code="caller_expired") from None
        except (JoseError, ValueError, KeyError, TypeError):
            raise Unauthenticated("Appel refusé : l'appelant n'est pas reconnu.", code="caller_invalid") from None


    def seal_event(self, source, event_type, payload):
        """An event's seal: which service sent it, of what type, with what
        payload. Events may wait in an outbox or a retry queue, so a seal
        does not expire; it only proves where the event comes from."""
        claims = {"iss": source, "typ": event_type, "dig": _digest(payload)}
        return jwt.encode({"alg": "HS256"}, claims, self.key)

    def check_seal(self, seal, source, event_type, payload):
        """True when `seal` is this portal's seal of exactly this event."""
        try:
            claims = jwt.decode(seal, self.key, algorithms=["HS256"]).claims
        except (JoseError, ValueError, TypeError):
            return False
        return (claims.get("iss"), claims.get("typ"), claims.get("dig")) == (source, event_type, _digest(payload))


def _digest(payload):
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _caller(claims):
    person = "sub" in claims
    if person and (claims["iss"] != GATEWAY or claims.get("rol") not in ROLES):
        raise ValueError("only the gateway speaks for a person, with a known role")
    if person and claims["rol"] == "family" and not claims.get("hid"):
        raise ValueError("a family speaks for its household")
    return Caller(
        part=claims["iss"],
        account_id=uuid.UUID(claims["sub"]) if person else None,
        role=claims.get("rol") if person else None,
        household_id=uuid.UUID(claims["hid"]) if claims.get("hid") else None,
        session_id=claims.get("sid") if person else None,
        request_id=claims.get("rid"),
    )


def allowed(caller, roles, parts):
    """Whether `caller` is a person with one of `roles`, or was signed by one
    of `parts` (the gateway signs for people too)."""
    return (caller.is_person and caller.role in roles) or caller.part in parts


def allow(roles=(), parts=()):
    """Who may call an entrypoint: people with one of `roles`, and/or parts
    of the portal acting on their own (`parts`, e.g. ("gateway",) for a
    login, ("billing",) for what only billing asks). The entrypoint receives
    the verified Caller as its first argument."""
    roles, parts = tuple(roles), tuple(parts)
    unknown = set(roles) - set(ROLES) | set(parts) - set(PARTS)
    if unknown or not (roles or parts):
        raise ValueError(f"allow() names who may call: roles among {ROLES}, parts among {PARTS}; got {unknown}")

    def decorator(method):
        signature = inspect.signature(method)

        @functools.wraps(method)
        def checked(self, *args, **kwargs):
            caller = self.callers.verified()
            if not allowed(caller, roles, parts):
                raise Forbidden("Vous n'avez pas accès à cette action.", code="caller_not_allowed")
            try:
                signature.bind(self, caller, *args, **kwargs)
            except TypeError as error:
                raise IncorrectSignature(str(error)) from None
            return method(self, caller, *args, **kwargs)

        checked.allowed = {"roles": roles, "parts": parts}
        return checked
    return decorator


class Callers(DependencyProvider):
    """The caller context of each call a service receives.

        class FamilyService:
            callers = Callers()
    """

    def setup(self):
        self.key = CallerKey.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        # the worker's log lines carry the request id the call or the event came with (kit.logs)
        logs.bind(request_id=worker_ctx.data.get(REQUEST_ID_KEY), entrypoint=worker_ctx.entrypoint.method_name)
        return _CallContext(self.key, worker_ctx.data.get(CONTEXT_KEY))


class _CallContext:
    def __init__(self, key, token):
        self.key = key
        self.token = token

    def verified(self):
        return self.key.verify(self.token)
