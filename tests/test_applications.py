"""Becoming a mentor: the service on every store, the API (form and JSON), the editors' CLI."""

from __future__ import annotations

import email
import json
import re
from datetime import timedelta
from email import policy
from urllib.parse import urlencode

import pytest
from relay.domain import Conflict, InvalidInput, NotFound, RateLimited
from relay.domain.applications import ApplicationState
from relay.services.applications import Submission

ROSALIE = dict(
    lang="fr", name="Rosalie Démo", occupation="Soudeuse-monteuse", sector="soudage-usinage",
    region="06", languages=("fr", "es"), years_experience=6,
    topics=("Le DEP en soudage", "Travailler sur un chantier"),
    bio="Exemple inventé. Je soude depuis six ans sur des chantiers de Montréal et j'aime "
    "expliquer comment on apprend ce métier, du DEP au premier emploi.",
    email="rosalie.demo@example.org",
)  # fmt: skip


def plain(path) -> str:
    """The plain-text part of an e-mail the local outbox wrote."""
    mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return mail.get_body(("plain",)).get_content()


def submission(**kw) -> Submission:
    return Submission(**{**ROSALIE, **kw})


def confirm_link(services, address="rosalie.demo@example.org") -> str:
    services.delivery.drain()
    [mail] = services.mail_to(address)
    text = mail.get_body(("plain",)).get_content()
    return re.search(r"applications/confirm\?token=(\S+)", text).group(1)


# --- the service, on every store ---------------------------------------------------------------


def test_an_application_waits_unseen_until_its_address_is_proven(services):
    apps = services.relay.applications
    application_id = apps.submit(submission(), client="203.0.113.7")
    stored = apps.get(application_id)
    assert stored.state == ApplicationState.UNCONFIRMED and stored.email == ROSALIE["email"]
    token = confirm_link(services)
    assert apps.confirm(token).already is False
    assert apps.confirm(token).already is True  # a second click changes nothing
    waiting = apps.get(application_id)
    assert waiting.state == ApplicationState.WAITING
    assert waiting.expires_at > services.now + timedelta(days=60)


def test_an_unconfirmed_application_expires_and_is_purged(services):
    apps = services.relay.applications
    application_id = apps.submit(submission(), client="203.0.113.7")
    services.now += timedelta(hours=73)
    with pytest.raises(NotFound):
        apps.get(application_id)
    assert services.store.purge(now=services.now) >= 1
    assert apps.all() == []


def test_taking_moves_the_address_to_the_mentor_contacts(services):
    apps = services.relay.applications
    application_id = apps.submit(submission(), client="203.0.113.7")
    apps.confirm(confirm_link(services))
    taken = apps.take(application_id, slug="rosalie-demo", by="editor:lea")
    assert taken.state == ApplicationState.TAKEN and taken.email is None and taken.bio is None
    assert services.store.get_mentor_contact("rosalie-demo").email == ROSALIE["email"]
    with pytest.raises(Conflict):  # taken once only
        apps.take(application_id, slug="rosalie-demo-2", by="editor:lea")


def test_declining_needs_a_reason_and_keeps_no_address(services):
    apps = services.relay.applications
    application_id = apps.submit(submission(), client="203.0.113.7")
    with pytest.raises(Conflict):  # not before the address is proven
        apps.decline(application_id, reason="pas encore", by="editor:lea")
    apps.confirm(confirm_link(services))
    with pytest.raises(ValueError):
        apps.decline(application_id, reason="   ", by="editor:lea")
    declined = apps.decline(application_id, reason="Profil en double.", by="editor:lea")
    assert declined.state == ApplicationState.DECLINED and declined.email is None
    assert apps.get(application_id).reason == "Profil en double."


@pytest.mark.parametrize(
    ("change", "field"),
    [({"sector": "astrologie"}, "sector"), ({"region": "99"}, "region"),
     ({"languages": ("fr", "xx")}, "languages"),
     ({"bio": ROSALIE["bio"] + " Écris-moi : rosalie@example.org"}, "bio"),
     ({"topics": ("Appelle-moi au 514-555-0199",)}, "topics")],
)  # fmt: skip
def test_unknown_codes_and_contact_details_are_refused_and_nothing_is_stored(
    local_services, change, field
):
    apps = local_services.relay.applications
    with pytest.raises(InvalidInput) as refused:
        apps.submit(submission(**change), client="203.0.113.7")
    assert field in refused.value.errors
    assert (
        apps.all() == []
        and local_services.store.claim_jobs(
            owner="t", now=local_services.now, lease=timedelta(minutes=1)
        )
        == []
    )


def test_applications_are_rate_limited_per_address(local_services):
    apps = local_services.relay.applications
    for _ in range(3):
        apps.submit(submission(), client="203.0.113.7")
    with pytest.raises(RateLimited):
        apps.submit(submission(), client="198.51.100.9")
    assert len(apps.all()) == 3


def test_the_confirmation_e_mail_proves_the_address_and_links_the_guide(local_services):
    apps = local_services.relay.applications
    apps.submit(submission(), client="203.0.113.7")
    local_services.delivery.drain()
    [mail] = local_services.mail_to(ROSALIE["email"])
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "applications/confirm?token=" in text
    assert "/guide-mentor/" in text and "/guide-mentor/" in html
    assert "Rosalie" in text and " tu " in f" {text.lower()} "
    assert mail["Subject"] and "\n" not in mail["Subject"]


# --- the API: plain form posts and JSON ---------------------------------------------------------

FORM = {
    "lang": "fr", "name": "Rosalie Démo", "occupation": "Soudeuse-monteuse",
    "sector": "soudage-usinage", "region": "06", "years_experience": "6",
    "topics": "Le DEP en soudage\nTravailler sur un chantier", "bio": ROSALIE["bio"],
    "email": "rosalie.demo@example.org", "consent": "yes",
}  # fmt: skip


def post(relay, fields, json_reply=False, headers=None, languages=("fr", "es")):
    pairs = list(fields.items()) + [("languages", code) for code in languages]
    h = {"Content-Type": "application/x-www-form-urlencoded", "Origin": relay.SITE_URL,
         "Accept": "application/json" if json_reply else "text/html"}  # fmt: skip
    h.update(headers or {})
    return relay.request("POST", "/api/applications", urlencode(pairs).encode(), h)


def stored(relay) -> int:
    return relay.store._con().execute("SELECT COUNT(*) FROM applications").fetchone()[0]


def test_a_plain_form_post_is_stored_and_redirected(relay):
    status, headers, _ = post(relay, FORM)
    assert status == 303
    assert headers["location"] == relay.SITE_URL + "/devenir-mentor/envoyee/"
    status, headers, _ = post(relay, {**FORM, "lang": "en", "email": "r2@example.org"})
    assert headers["location"] == relay.SITE_URL + "/en/become-a-mentor/sent/"
    assert stored(relay) == 2
    [row] = (
        relay.store._con()
        .execute("SELECT languages FROM applications WHERE email = ?", ("r2@example.org",))
        .fetchall()
    )
    assert json.loads(row[0]) == ["fr", "es"]


def test_json_answers_202_with_a_sentence(relay):
    status, _, body = post(relay, FORM, json_reply=True)
    assert status == 202
    assert json.loads(body)["status"] == "received" and json.loads(body)["message"]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [({"bio": "Trop court."}, 422, "bio"), ({"email": "pas une adresse"}, 422, "email"),
     ({"consent": ""}, 422, "consent"), ({"years_experience": "beaucoup"}, 422,
     "years_experience"), ({"sector": "astrologie"}, 422, "sector"),
     ({"name": "Rosalie\u202eDémo"}, 422, "name"), ({"role": "admin"}, 400, None),
     ({"lang": "de"}, 400, None)],
)  # fmt: skip
def test_bad_input_gets_a_clear_4xx_and_nothing_is_stored(relay, change, status, field):
    got, _, body = post(relay, {**FORM, **change}, json_reply=True)
    assert got == status
    reply = json.loads(body)
    assert reply["error"] and reply["message"]
    if field:
        assert field in reply["fields"] and reply["fields"][field]
    assert stored(relay) == 0


def test_json_values_of_the_wrong_kind_are_refused(relay):
    h = {"Content-Type": "application/json", "Origin": relay.SITE_URL}
    base = {**FORM, "languages": ["fr"], "topics": ["Le DEP"]}
    for change in ({"years_experience": True}, {"languages": [1]}, {"topics": "x" * 81},
                   {"name": ["Rosalie"]}):  # fmt: skip
        body = json.dumps({**base, **change}).encode()
        status, _, reply = relay.request("POST", "/api/applications", body, h)
        assert status == 422, change
        assert set(json.loads(reply)["codes"]) == {next(iter(change))}
    assert stored(relay) == 0
    assert relay.request("POST", "/api/applications", json.dumps(base).encode(), h)[0] == 202


def test_a_refused_plain_post_shows_the_form_again_with_its_values(relay):
    status, headers, body = post(relay, {**FORM, "bio": "Trop court."})
    assert status == 422 and headers["content-type"].startswith("text/html")
    assert 'id="application-form"' in body and "Soudeuse-monteuse" in body
    assert 'id="bio-error"' in body and 'aria-invalid="true"' in body
    assert stored(relay) == 0


def test_other_bad_posts(relay):
    assert post(relay, FORM, headers={"Origin": "https://evil.example"})[0] == 403
    assert post(relay, FORM, headers={"Content-Type": "text/plain"})[0] == 415
    assert post(relay, {**FORM, "bio": "x" * 20000})[0] == 413
    assert post(relay, FORM, languages=())[0] == 422
    assert stored(relay) == 0
    dup = urlencode(list(FORM.items()) + [("name", "Autre")]).encode()
    h = {"Content-Type": "application/x-www-form-urlencoded", "Origin": relay.SITE_URL}
    assert relay.request("POST", "/api/applications", dup, h)[0] == 400


def test_the_confirm_link_opens_a_page_and_its_button_confirms(relay):
    post(relay, FORM)
    [mail] = relay.emails()
    text = plain(mail)
    token = re.search(r"applications/confirm\?token=([A-Za-z0-9_.=-]+)", text).group(1)
    status, _, body = relay.request("GET", "/api/applications/confirm", query=f"token={token}")
    assert status == 200 and 'name="token"' in body
    h = {"Content-Type": "application/x-www-form-urlencoded", "Origin": relay.SITE_URL}
    status, _, body = relay.request(
        "POST", "/api/applications/confirm", urlencode({"token": token}).encode(), h
    )
    assert status == 200
    [application] = relay.relay.applications.all()
    assert application.state == ApplicationState.WAITING
    assert relay.request("GET", "/api/applications/confirm", query="token=forged.x")[0] == 400


def test_the_openapi_document_names_every_status(relay):
    doc = json.loads(relay.request("GET", "/api/openapi.json")[2])
    post_apps = doc["paths"]["/api/applications"]["post"]
    assert {"202", "303", "400", "403", "413", "415", "422", "429"} <= set(post_apps["responses"])
    schema = post_apps["requestBody"]["content"]["application/json"]["schema"]
    assert {"name", "occupation", "sector", "languages", "topics", "bio", "email"} <= set(
        schema["properties"]
    )
    assert schema["properties"]["occupation"]["description"] == "job title"  # from the schema


# --- the editors' CLI ----------------------------------------------------------------------------


@pytest.fixture
def editor(relay, monkeypatch, tmp_path):
    """The relay's data dir in the environment (as `invoke` sees it), a copy of the repository's
    content/ and data/ to write profiles into."""
    import shutil

    from tests.conftest import ROOT

    monkeypatch.setenv("PASSERELLE_DATA_DIR", str(relay.settings.data_dir))
    monkeypatch.setenv("PASSERELLE_STORE", "sqlite")
    monkeypatch.setenv("PASSERELLE_MANIFEST", str(relay.settings.manifest))
    monkeypatch.setenv("PASSERELLE_SECRET", relay.settings.secret)
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "data", root / "data")
    (root / "content" / "mentors").mkdir(parents=True)
    (root / "content" / "images").mkdir()
    return root


def waiting_application(relay) -> str:
    post(relay, FORM)
    [mail] = relay.emails()
    token = re.search(r"confirm\?token=([A-Za-z0-9_.=-]+)", plain(mail)).group(1)
    relay.relay.applications.confirm(token)
    [application] = relay.relay.applications.all()
    return application.id


def test_invoke_applications_lists_and_shows_without_the_address(relay, editor, capsys):
    from relay import cli

    application_id = waiting_application(relay)
    cli.applications()
    out = capsys.readouterr().out
    assert application_id in out and "Rosalie Démo" in out and "1 waiting" in out
    cli.applications(show=application_id)
    out = capsys.readouterr().out
    assert "r***@example.org" in out and "rosalie.demo" not in out
    assert f"new-mentor --from-application {application_id}" in out


def test_new_mentor_from_an_application_writes_a_valid_profile_and_keeps_the_address_private(
    relay, editor, capsys
):
    from mentors.frontmatter import parse
    from mentors.validation import check_profile
    from mentors.vocab import load_vocabularies
    from relay import cli

    application_id = waiting_application(relay)
    target = cli.new_mentor_from_application(editor, application_id, slug="rosalie-demo")
    text = target.read_text(encoding="utf-8")
    _, problems = check_profile(
        parse(text), "content/mentors/rosalie-demo.md", load_vocabularies(editor / "data"),
        editor / "content" / "images",
    )  # fmt: skip
    assert problems == []
    assert "Soudeuse-monteuse" in text and "Le DEP en soudage" in text and "six ans" in text
    for path in (editor / "content").rglob("*"):
        if path.is_file():
            assert "rosalie.demo" not in path.read_text(encoding="utf-8")
    assert relay.store.get_mentor_contact("rosalie-demo").email == "rosalie.demo@example.org"
    assert relay.relay.applications.get(application_id).state == ApplicationState.TAKEN
    assert "rosalie.demo" not in capsys.readouterr().out
    with pytest.raises(SystemExit):  # taken already: nothing more is written
        cli.new_mentor_from_application(editor, application_id, slug="rosalie-demo-2")
    assert not (editor / "content" / "mentors" / "rosalie-demo-2.md").exists()


def test_a_slug_that_already_has_a_contact_leaves_no_file(relay, editor, capsys):
    from relay import cli

    application_id = waiting_application(relay)
    with pytest.raises(SystemExit):  # marie-tremblay's contact exists (the demo's seed)
        cli.new_mentor_from_application(editor, application_id, slug="marie-tremblay")
    assert not (editor / "content" / "mentors" / "marie-tremblay.md").exists()
    assert relay.relay.applications.get(application_id).state == ApplicationState.WAITING
    assert relay.store.get_mentor_contact("marie-tremblay").email != "rosalie.demo@example.org"


def test_invoke_applications_declines_with_a_reason(relay, editor, capsys):
    from relay import cli

    application_id = waiting_application(relay)
    with pytest.raises(SystemExit):
        cli.applications(decline=application_id)
    cli.applications(decline=application_id, reason="Profil en double")
    assert relay.relay.applications.get(application_id).state == ApplicationState.DECLINED


def test_an_opaque_origin_is_ours_only_when_the_browser_says_same_origin(relay):
    """A relay page sends no referrer, so its forms post with `Origin: null`."""
    opaque = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert post(relay, FORM, headers=opaque)[0] == 303
    for other in ("cross-site", "same-site", "none"):
        status = post(relay, FORM, headers={"Origin": "null", "Sec-Fetch-Site": other})[0]
        assert status == 403
    assert post(relay, FORM, headers={"Origin": "null"})[0] == 403
    assert stored(relay) == 1
