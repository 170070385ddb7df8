"""The moderation page highlights, in the text as written, what screening masked and what it
was unsure of (real Chromium, axe-core)."""

from __future__ import annotations

import pytest
from conftest import MODERATOR_TOKENS

from tests.e2e.test_moderation_browser import ask, sign_in

pytestmark = pytest.mark.browser


def test_masked_and_possible_details_are_highlighted_in_the_original(moderated_server, page, axe):
    text = "🙂 Écris-moi à julie@exemple.com, ou cherche comme jul.ie22 peut-être?"
    ask(moderated_server, 1, text)
    sign_in(page, moderated_server, MODERATOR_TOKENS["alice"])
    original = page.locator("#original")
    original.locator("mark").first.wait_for()
    masked = original.locator("mark.span-masked")
    possible = original.locator("mark.span-possible")
    assert masked.inner_text() == "julie@exemple.com"
    assert possible.inner_text() == "jul.ie22"
    assert possible.get_attribute("title") and masked.get_attribute("title")
    assert original.inner_text() == text  # highlighted, never rewritten
    assert axe(page) == []
