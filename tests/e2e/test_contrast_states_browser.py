"""Colour contrast in every state a control can be in: normal, hover, focus, disabled, and
part-way through the theme's colour transitions.

axe-core checks what is on screen when it runs. A hover that swaps text and
background colours passes at both ends and fails while it animates, which is
what a moderator saw when the reject button appeared under the mouse. Chrome's
DevTools protocol forces :hover and :focus-visible on every control, and a
negative transition-delay freezes each transition at a chosen point, so axe
sees the states a person sees.
"""

from __future__ import annotations

import pytest
from conftest import MODERATOR_TOKENS

pytestmark = pytest.mark.browser

CONTROLS = "a[href], button, input, select, textarea, summary, label, [tabindex]"
SITE_PAGES = ["/", "/en/search/", "/mentors/", "/articles/"]
STATES = (["hover"], ["focus", "focus-visible"])
FRACTIONS = (None, 0.5)  # None: the end state, transitions off; 0.5: mid-way

FREEZE = """(fraction) => {
  for (const el of document.querySelectorAll('*')) {
    if (fraction === null) {
      el.style.setProperty('transition', 'none', 'important');
      continue;
    }
    el.style.removeProperty('transition');
    const durations = getComputedStyle(el).transitionDuration.split(',').map(parseFloat);
    if (durations.every((d) => d === 0)) continue;  // only the theme's own transitions
    el.style.setProperty('transition-duration', '1000s', 'important');
    el.style.setProperty('transition-delay', `-${fraction * 1000}s`, 'important');
    el.style.setProperty('transition-timing-function', 'linear', 'important');
  }
}"""

# The contrast of disabled buttons, computed here because axe skips inactive controls.
DISABLED_CONTRAST = """() => {
  const rgba = (text) => (text.match(/[\\d.]+/g) || ['0', '0', '0', '0']).map(Number);
  const channel = (c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const over = (top, bottom) => {
    const a = top[3] === undefined ? 1 : top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a));
  };
  const backdrop = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      layers.push(rgba(getComputedStyle(node).backgroundColor));
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255]);
  };
  const opacity = (el) => {
    let value = 1;
    for (let node = el; node; node = node.parentElement) {
      value *= Number(getComputedStyle(node).opacity);
    }
    return value;
  };
  const results = [];
  for (const button of document.querySelectorAll('button')) {
    button.disabled = true;
    const bg = backdrop(button);
    const fg = rgba(getComputedStyle(button).color);
    fg[3] = (fg[3] === undefined ? 1 : fg[3]) * opacity(button);
    const text = over(fg, bg);
    const [l1, l2] = [luminance(text), luminance(bg)].sort((a, b) => b - a);
    results.push({ button: button.outerHTML.slice(0, 80), ratio: (l1 + 0.05) / (l2 + 0.05) });
    button.disabled = false;
  }
  return results;
}"""


def contrast_failures(page, axe_engine) -> list[str]:
    result = axe_engine.run(
        page, options={"runOnly": ["color-contrast"], "resultTypes": ["violations"]}
    )
    return [
        f"{node['target']}: {node['any'][0]['message'] if node['any'] else ''}"
        for violation in result.response["violations"]
        for node in violation["nodes"]
    ]


def states_failures(page) -> list[str]:
    """Every control in every state and transition point; a list of what fails, with where."""
    from axe_playwright_python.sync_playwright import Axe

    engine = Axe()
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": CONTROLS})["nodeIds"]
    assert nodes, f"no controls found on {page.url}"
    failures = []
    for fraction in FRACTIONS:
        for state in STATES:
            page.evaluate(FREEZE, fraction)
            for node in nodes:
                cdp.send("CSS.forcePseudoState", {"nodeId": node, "forcedPseudoClasses": state})
            failures += [
                f"{page.url} :{state[-1]} at {fraction or 'end'}: {failure}"
                for failure in contrast_failures(page, engine)
            ]
            for node in nodes:
                cdp.send("CSS.forcePseudoState", {"nodeId": node, "forcedPseudoClasses": []})
    page.evaluate(FREEZE, None)
    failures += [
        f"{page.url} disabled: {entry['button']} at {entry['ratio']:.2f}:1"
        for entry in page.evaluate(DISABLED_CONTRAST)
        if entry["ratio"] < 4.5
    ]
    cdp.detach()
    return failures


def test_site_controls_keep_aa_contrast_in_every_state(static_site, page):
    failures = []
    for path in SITE_PAGES:
        page.goto(static_site + path)
        failures += states_failures(page)
        # A profile: the question form and its buttons.
        if path == "/mentors/":
            profile = page.locator(".card h2 a, .card h3 a").first.get_attribute("href")
            page.goto(static_site + profile)
            failures += states_failures(page)
    assert not failures, "\n".join(failures)


def test_moderation_controls_keep_aa_contrast_with_the_reason_picker_open(moderated_server, page):
    from tests.e2e.test_moderation_browser import ask, sign_in

    ask(moderated_server, 1, "Quelles études pour devenir soudeuse? Je suis en secondaire 4.")
    sign_in(page, moderated_server, MODERATOR_TOKENS["alice"])
    page.locator("#queue .queue-item").first.wait_for()
    page.keyboard.press("r")
    page.locator("#reasons input").first.wait_for()
    failures = states_failures(page)
    assert not failures, "\n".join(failures)
