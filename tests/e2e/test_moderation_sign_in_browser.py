"""The moderators' sign-in as on AWS: authorization code with PKCE from /moderation/.

Cognito's hosted sign-in is played by Playwright routes (moto has no hosted UI):
they check what the page sends, as Cognito would, and hand back an access
token. The token is one the live relay accepts, so the page really signs in.
"""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from conftest import MODERATOR_TOKENS

pytestmark = pytest.mark.browser

AUTH = "https://auth.passerelle.test"
CLIENT = "moderation-client-for-tests"


def challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class FakeCognito:
    """The three Cognito endpoints the page uses, with what each one was sent."""

    def __init__(self, context):
        self.authorize: list[dict] = []
        self.token: list[dict] = []
        self.logout: list[dict] = []
        context.route("**/moderation/auth.json", self.config)
        context.route(f"{AUTH}/oauth2/authorize*", self.on_authorize)
        context.route(f"{AUTH}/oauth2/token", self.on_token)
        context.route(f"{AUTH}/logout*", self.on_logout)

    @staticmethod
    def config(route):
        route.fulfill(json={"domain": AUTH, "client_id": CLIENT})

    @staticmethod
    def query(url: str) -> dict:
        return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}

    def on_authorize(self, route):
        asked = self.query(route.request.url)
        self.authorize.append(asked)
        code = urlencode({"code": "one-time-code", "state": asked["state"]})
        back = f"{asked['redirect_uri']}?{code}"
        route.fulfill(status=302, headers={"Location": back})

    def on_token(self, route):
        sent = {k: v[0] for k, v in parse_qs(route.request.post_data or "").items()}
        self.token.append({"method": route.request.method, **sent})
        asked = self.authorize[-1]
        valid = (
            sent.get("grant_type") == "authorization_code"
            and sent.get("code") == "one-time-code"
            and sent.get("client_id") == CLIENT
            and sent.get("redirect_uri") == asked["redirect_uri"]
            and challenge_of(sent.get("code_verifier", "")) == asked["code_challenge"]
        )
        body = {"access_token": MODERATOR_TOKENS["alice"], "token_type": "Bearer"}
        route.fulfill(
            status=200 if valid else 400,
            headers={"Access-Control-Allow-Origin": "*"},
            body=json.dumps(body if valid else {"error": "invalid_grant"}),
            content_type="application/json",
        )

    def on_logout(self, route):
        asked = self.query(route.request.url)
        self.logout.append(asked)
        route.fulfill(status=302, headers={"Location": asked["logout_uri"]})


def test_moderators_sign_in_with_code_and_pkce_and_sign_out(moderated_server, browser):
    context = browser.new_context(locale="fr-CA")
    try:
        cognito = FakeCognito(context)
        page = context.new_page()
        page.goto(f"{moderated_server.url}/moderation/")
        # The page learns of Cognito from auth.json, fetched once it has loaded.
        page.locator("#token").wait_for(state="hidden", timeout=10_000)  # no pasted token
        page.locator("#login-form button[type=submit]").click()
        page.locator("#whoami").filter(has_text="moderator:alice").wait_for()

        [asked] = cognito.authorize
        assert asked["response_type"] == "code" and asked["client_id"] == CLIENT
        assert asked["code_challenge_method"] == "S256" and len(asked["state"]) >= 16
        assert asked["redirect_uri"] == f"{moderated_server.url}/moderation/"
        [exchanged] = cognito.token
        assert exchanged["method"] == "POST" and len(exchanged["code_verifier"]) >= 43
        assert "code=" not in page.url, "the one-time code is taken off the address bar"
        assert page.evaluate("sessionStorage.getItem('passerelle.pkce')") is None

        page.click("#logout")
        page.wait_for_url(f"{moderated_server.url}/moderation/")
        page.locator("#login").wait_for()
        [left] = cognito.logout
        assert left == {"client_id": CLIENT, "logout_uri": f"{moderated_server.url}/moderation/"}
        assert page.evaluate("sessionStorage.getItem('passerelle.moderator-token')") is None
    finally:
        context.close()


def test_a_code_that_this_tab_did_not_ask_for_is_refused(moderated_server, browser):
    context = browser.new_context(locale="en-CA")
    try:
        cognito = FakeCognito(context)
        page = context.new_page()
        page.goto(f"{moderated_server.url}/en/moderation/?code=stolen-code&state=not-mine")
        page.locator("#token-error").filter(has_text="session").wait_for()
        assert cognito.token == [], "an unknown state never reaches the token endpoint"
        assert page.locator("#workspace").is_hidden()
        assert "code=" not in page.url
    finally:
        context.close()
