"""A real OpenID Connect provider on loopback standing in for FranceConnect v2:
the npm package oidc-provider (OpenID-certified), run by
tests/franceconnect/provider.mjs as its own process and spoken to over HTTP
like the real thing. Install it once with `npm ci --prefix tests/franceconnect`.

Logging in needs no click: the provider's login page is a plain HTML form
taking any login name (the accounts of tests/franceconnect/accounts.json, or
one made up from the name), and consent is given at once. A browser fills
`input[name=login]` and presses the button; a `requests.Session` goes through
`FranceConnectProvider.log_in`."""
import contextlib
import json
import os
import shutil
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from loopback import free_port, running

HERE = Path(__file__).parent / "franceconnect"
# The claims of the fixture's accounts by login name; other names get made-up claims.
ACCOUNTS = json.loads((HERE / "accounts.json").read_text(encoding="utf-8"))
MODES = ("normal", "other_key", "expired", "wrong_nonce")


class FranceConnectProvider:
    """The running provider, with one client registered: the relying party under test.

    `mode` is how its ID tokens misbehave (see provider.mjs): `normal`,
    `other_key` (signed by a key the JWKS does not publish), `expired` (exp
    in the past) or `wrong_nonce` (a nonce other than the one sent)."""

    def __init__(self, folder, port, settings):
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}"
        self.discovery_url = f"{self.issuer}/.well-known/openid-configuration"
        self.client_id = settings["CLIENT_ID"]
        self.client_secret = settings["CLIENT_SECRET"]
        self._keys = Path(folder) / "keys.json"
        self._settings = {**settings, "PORT": str(port), "ISSUER": self.issuer, "KEYS_FILE": str(self._keys)}
        self._process = contextlib.ExitStack()

    @property
    def alg(self):
        return self._settings["ALG"]

    @property
    def mode(self):
        return self._settings["MODE"]

    def metadata(self):
        answer = requests.get(self.discovery_url, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def restart(self, mode=None, new_keys=False):
        """Starts the provider again on the same issuer, possibly misbehaving
        another way. With `new_keys`, the old kids leave the JWKS (key rotation).
        Its sessions, codes and tokens do not survive; subjects do."""
        self.stop()
        if mode is not None:
            self._settings["MODE"] = mode
        if new_keys:
            self._keys.unlink(missing_ok=True)
        self.start()

    def start(self):
        command = [shutil.which("node") or "node", str(HERE / "provider.mjs")]
        self._process.enter_context(running(command, self.port, env={**os.environ, **self._settings}))
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.discovery_url, timeout=2).ok:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"no discovery document at {self.discovery_url}")
            time.sleep(0.1)

    def stop(self):
        self._process.close()

    def log_in(self, session, authorize_url, login="jean.dupont"):
        """Logs `login` in through the provider's form and returns the URL the
        provider sends the browser back to (the relying party's redirect_uri
        with code, state and iss), without requesting it. `authorize_url` may
        be the provider's authorization URL or a relying-party URL redirecting
        there (its cookies then land in `session`)."""
        outcome = self._back_to_relying_party(session, session.get(authorize_url, allow_redirects=False, timeout=10))
        if isinstance(outcome, str):  # still logged in at the provider and no prompt=login
            return outcome
        form = _Form.on(outcome)
        answer = session.post(urljoin(outcome.url, form.action), data={**form.fields, "login": login},
                              allow_redirects=False, timeout=10)
        return _redirect_or_fail(self._back_to_relying_party(session, answer))

    def log_out(self, session, end_session_url):
        """Goes through the provider's end-session endpoint (as built by the
        relying party, with id_token_hint, state and post_logout_redirect_uri)
        and returns the URL it sends the browser back to, without requesting it.
        The page a browser would submit by script is submitted here by hand."""
        outcome = self._back_to_relying_party(session, session.get(end_session_url, allow_redirects=False, timeout=10))
        if isinstance(outcome, str):
            return outcome
        form = _Form.on(outcome)
        answer = session.post(urljoin(outcome.url, form.action), data=form.fields, allow_redirects=False, timeout=10)
        return _redirect_or_fail(self._back_to_relying_party(session, answer))

    def _serves(self, url):
        return urlsplit(url)[:2] == urlsplit(self.issuer)[:2]

    def _back_to_relying_party(self, session, response):
        """Follows redirects until the provider sends the browser away (returns
        that URL) or shows a page (returns the response)."""
        while response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if self._serves(response.url) and not self._serves(target):
                return target
            response = session.get(target, allow_redirects=False, timeout=10)
        return response


@contextlib.contextmanager
def franceconnect_provider(client_id, client_secret, redirect_uris, post_logout_redirect_uris=(),
                           alg="RS256", mode="normal", port=None):
    """Starts the provider on loopback (on `port`, else a free one) with the
    relying party registered, and yields a `FranceConnectProvider` once its
    discovery document answers. `alg` (RS256 or ES256) signs ID tokens and userinfo."""
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("oidc-provider is not installed: run `npm ci --prefix tests/franceconnect`")
    if alg not in ("RS256", "ES256") or mode not in MODES:
        raise ValueError(f"alg must be RS256 or ES256 and mode one of {MODES}")
    settings = {"CLIENT_ID": client_id, "CLIENT_SECRET": client_secret, "ALG": alg, "MODE": mode,
                "REDIRECT_URIS": ",".join(redirect_uris),
                "POST_LOGOUT_REDIRECT_URIS": ",".join(post_logout_redirect_uris)}
    with tempfile.TemporaryDirectory(prefix="franceconnect-") as folder:
        provider = FranceConnectProvider(folder, port or free_port(), settings)
        try:
            provider.start()
            yield provider
        finally:
            provider.stop()


def _redirect_or_fail(outcome):
    if isinstance(outcome, str):
        return outcome
    raise AssertionError(f"the provider did not send the browser back but answered "
                         f"{outcome.status_code} at {outcome.url}: {outcome.text[:500]}")


class _Form(HTMLParser):
    """The first form of a page: where it posts and the values of its named inputs."""

    def __init__(self, html):
        super().__init__()
        self.action, self.fields, self._inside = None, {}, False
        self.feed(html)

    @classmethod
    def on(cls, response):
        form = cls(response.text)
        if response.status_code != 200 or form.action is None:
            raise AssertionError(f"expected a form from the provider, got {response.status_code} "
                                 f"at {response.url}: {response.text[:500]}")
        return form

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self._inside = attrs.get("action") or "", True
        elif tag == "input" and self._inside and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
