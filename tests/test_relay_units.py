"""Pure parts of the relay: tokens, policies, state machine, e-mail composition, rate limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from relay.api.forms import Refused, check_origin, validate
from relay.domain import InvalidTransition, PolicyRefusal, Status, check_transition
from relay.domain.policies import age_band
from relay.domain.retries import backoff, next_attempt
from relay.domain.tokens import BadToken, issue, key_hash, verify
from relay.mail.compose import email
from relay.manifest import ManifestSource

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
SECRET = "unit-test-secret"


def token(**kw):
    args = dict(thread_id="t1", side="mentee", purpose="confirm", now=NOW, ttl=timedelta(hours=1))
    args.update(kw)
    return issue(SECRET, **args)


def test_a_token_verifies_only_for_its_purpose_side_secret_and_time():
    claims = verify(SECRET, token(), purpose="confirm", side="mentee", now=NOW)
    assert claims.thread_id == "t1"
    with pytest.raises(BadToken):
        verify(SECRET, token(), purpose="erase", now=NOW)
    with pytest.raises(BadToken):
        verify(SECRET, token(), purpose="confirm", side="mentor", now=NOW)
    with pytest.raises(BadToken):
        verify("another-secret", token(), purpose="confirm", now=NOW)
    with pytest.raises(BadToken):
        verify(SECRET, token(), purpose="confirm", now=NOW + timedelta(hours=1))


def test_a_tampered_payload_is_refused():
    head, sig = token().split(".")
    forged = issue("attacker", thread_id="t2", side="mentee", purpose="confirm", now=NOW,
                   ttl=timedelta(hours=1)).split(".")[0]  # fmt: skip
    for bad in (f"{forged}.{sig}", f"{head}.{sig[:-1]}", head, "", "..", "a.b.c"):
        with pytest.raises(BadToken):
            verify(SECRET, bad, purpose="confirm", now=NOW)


def test_rate_limit_keys_are_salted_hashes():
    assert key_hash(SECRET, "email", "a@example.org") != key_hash("x", "email", "a@example.org")
    assert "example" not in key_hash(SECRET, "email", "a@example.org")


@pytest.mark.parametrize(
    ("age", "band"), [(14, "minor"), (17, "minor"), (18, "adult"), (30, "adult")]
)
def test_age_bands(age, band):
    assert age_band(age) == band


@pytest.mark.parametrize(("age", "code"), [(0, "too_young"), (13, "too_young"), (31, "too_old")])
def test_ages_outside_14_to_30_are_refused(age, code):
    with pytest.raises(PolicyRefusal) as refusal:
        age_band(age)
    assert refusal.value.code == code


def test_state_machine_allows_only_the_documented_path():
    path = [Status.RECEIVED, Status.CONFIRMED, Status.PENDING, Status.APPROVED, Status.DELIVERED]
    for current, target in zip(path, path[1:], strict=False):
        check_transition(current, target)
    for current in path[:3]:
        check_transition(current, Status.REJECTED)
    refused = [
        (Status.DELIVERED, Status.APPROVED),
        (Status.REJECTED, Status.PENDING),
        (Status.APPROVED, Status.REJECTED),
        (Status.RECEIVED, Status.PENDING),
    ]
    for current, target in refused:
        with pytest.raises(InvalidTransition):
            check_transition(current, target)


def test_retry_backoff_grows_with_jitter_and_is_capped():
    middle = [backoff(n, rand=lambda: 0.5) for n in range(1, 10)]
    assert middle == sorted(middle) and middle[0] == timedelta(seconds=30)
    assert middle[-1] == timedelta(hours=1)
    assert backoff(1, rand=lambda: 0.0) == timedelta(seconds=22.5)  # -25 %
    assert backoff(1, rand=lambda: 1.0) == timedelta(seconds=37.5)  # +25 %
    assert backoff(40, rand=lambda: 1.0) == timedelta(hours=1)  # never above the cap


def test_a_transient_failure_is_retried_until_the_jobs_own_expiry():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 29, tzinfo=UTC)
    until = now + timedelta(days=30)
    assert next_attempt(500, now, until, rand=lambda: 0.5) == now + timedelta(hours=1)
    assert next_attempt(3, until - timedelta(seconds=5), until) == until  # never past expiry
    assert next_attempt(3, until, until) is None  # the message itself is gone


def confirmation(**kw):
    args = dict(name="confirmation", site_url="http://x", question="Ma question", link_days=30)
    return email(**{**args, **kw})


def test_e_mail_headers_cannot_be_injected():
    with pytest.raises(ValueError):
        confirmation(sender="relais@example.org", to="a@example.org\r\nBcc: b@example.org",
                     lang="fr", mentor_name="M", link="http://x/")  # fmt: skip


def test_confirmation_e_mail_is_in_the_recipient_language_with_both_parts():
    msg = confirmation(sender="Passerelle <relais@example.org>", to="a@example.org", lang="en",
                       mentor_name="Jordan <b>Lee</b>", link="http://x/?token=a&b")  # fmt: skip
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Confirm your address" in msg["Subject"] and "Jordan <b>Lee</b>" in text
    assert "Jordan &lt;b&gt;Lee&lt;/b&gt;" in html and 'href="http://x/?token=a&amp;b"' in html


def test_form_validation_maps_each_problem_to_a_field_code():
    with pytest.raises(Refused) as refused:
        validate({"mentor": "m", "lang": "en", "age": "x", "email": "nope"})
    assert refused.value.status == 422
    codes = refused.value.fields
    assert codes["age"] == "not_a_number" and codes["email"] == "invalid_email"
    assert codes["question"] == "required" and codes["consent"] == "consent_required"


def test_origin_check():
    allowed = {"https://passerelle.example.org"}
    check_origin({"origin": "https://passerelle.example.org"}, allowed)
    check_origin({"sec-fetch-site": "same-site"}, allowed)
    check_origin({}, allowed)
    for headers in ({"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}):
        with pytest.raises(Refused):
            check_origin(headers, allowed)


def test_manifest_is_reloaded_when_the_file_changes(tmp_path):
    path = tmp_path / "mentors.json"
    path.write_text(json.dumps({"mentors": {"a": {"accepting": True}}}))
    source = ManifestSource(str(path))
    assert source.get().mentors["a"].accepting
    path.write_text(json.dumps({"mentors": {"a": {"accepting": False}, "b": {}}}))
    assert not source.get().mentors["a"].accepting and "b" in source.get().mentors


def test_fingerprints_are_salted_with_the_relay_secret():
    import hashlib

    from relay.domain.idempotency import fingerprint

    parts = ("marie-tremblay", "alex@example.org", "Ma question")
    assert fingerprint("secret-a", *parts) == fingerprint("secret-a", *parts)
    assert fingerprint("secret-a", *parts) != fingerprint("secret-b", *parts)
    plain = hashlib.sha256("\x00".join(parts).encode() + b"\x00").hexdigest()
    assert fingerprint("secret-a", *parts) != plain  # not guessable from the address and text
