"""A question about self-harm, asked in a real Chromium: the form shows at once where to get
help now in Québec, and the page still passes axe-core."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.test_question_browser import fill

pytestmark = pytest.mark.browser

DISTRESS = "Je ne sais plus quoi faire, des fois j'ai envie de mourir. Quel métier choisir?"


def test_the_form_shows_the_help_lines_after_a_question_about_self_harm(live_server, page, axe):
    page.clock.set_system_time(datetime.now(UTC) - timedelta(seconds=30))
    page.goto(f"{live_server.url}/mentors/marie-tremblay/")
    fill(page, question=DISTRESS)
    page.click("#question-form button[type=submit]")
    help_box = page.locator("#question-help")
    help_box.wait_for()
    assert "Merci" in page.locator("#question-form-status").inner_text()
    assert page.locator("#question-help-title").inner_text().startswith("Tu n'es pas seul")
    links = help_box.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert {"tel:911", "tel:988", "sms:988", "tel:18002632266", "sms:5146001002",
            "tel:18006686868", "sms:686868", "tel:811"} <= set(hrefs)  # fmt: skip
    assert "Jeunesse, J'écoute" in help_box.inner_text()
    assert page.evaluate("document.activeElement.id") == "question-help"
    assert axe(page) == []
