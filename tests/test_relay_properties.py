"""Property-based: whatever arrives at the handler, it answers <500 and a refusal stores nothing."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIELD_NAMES = [
    "mentor", "lang", "pseudonym", "age", "region", "situation", "email", "question",
    "consent", "website", "rendered_at", "idempotency_key", "token", "__proto__", "",
]  # fmt: skip
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/json",
    "application/json; charset=utf-16",
    "text/plain",
    "multipart/form-data; boundary=x",
    "",
]
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
header_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), max_size=80
)
values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["16", "13", "31", "-1", "1e9", "yes", "marie-tremblay", "06", "fr", "en"]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


def check(relay, before: int, status: int, body: str) -> None:
    assert status < 500, body
    if status >= 400:
        assert relay.threads() == before, "a refused request stored something"


@SETTINGS
@given(
    body=st.binary(max_size=3000),
    content_type=st.sampled_from(CONTENT_TYPES),
    base64_body=st.booleans(),
)
def test_arbitrary_bytes_never_crash(relay, body, content_type, base64_body):
    before = relay.threads()
    headers = {"Content-Type": content_type, "Accept": "application/json"}
    status, _, reply = relay.request("POST", "/api/questions", body, headers)
    check(relay, before, status, reply)
    json.loads(reply) if status != 303 else None


@SETTINGS
@given(
    form=st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=14),
    accept=st.sampled_from(["application/json", "text/html", "*/*", ""]),
)
def test_arbitrary_forms_never_crash(relay, form, accept):
    before = relay.threads()
    status, _, reply = relay.post_form(form, headers={"Accept": accept})
    check(relay, before, status, reply)


@SETTINGS
@given(payload=json_values)
def test_arbitrary_json_never_crashes(relay, payload):
    before = relay.threads()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    status, _, reply = relay.request(
        "POST", "/api/questions", json.dumps(payload).encode(), headers
    )
    check(relay, before, status, reply)


@SETTINGS
@given(
    headers=st.dictionaries(
        st.sampled_from(
            [
                "Origin",
                "Sec-Fetch-Site",
                "Accept",
                "Content-Type",
                "Host",
                "Content-Length",
                "X-Forwarded-For",
                "Cookie",
            ]
        ),
        header_text,
        max_size=6,
    ),  # fmt: skip
    path=st.sampled_from(
        [
            "/api/questions",
            "/api/questions/confirm",
            "/api/openapi.json",
            "/api/health",
            "/api/x",
            "/api/questions/confirm?token=a.b",
        ]
    ),  # fmt: skip
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]),
)
def test_arbitrary_headers_and_methods_never_crash(relay, headers, path, method):
    before = relay.threads()
    path, _, query = path.partition("?")
    body = urlencode({"mentor": "marie-tremblay", "age": "16"}).encode()
    status, _, reply = relay.request(method, path, body, headers, query=query)
    check(relay, before, status, reply)


@SETTINGS
@given(token=st.text(max_size=400))
def test_arbitrary_confirmation_tokens_are_refused(relay, token):
    status, _, _ = relay.request(
        "POST",
        "/api/questions/confirm",
        urlencode({"token": token}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status in (400, 403, 410)
    status, _, _ = relay.request("GET", "/api/questions/confirm", query=urlencode({"token": token}))
    assert status in (400, 410)
