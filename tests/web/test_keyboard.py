"""The keyboard in a real Chromium: the skip link on press and public pages, and the editor's
language tabs as ARIA tabs (arrow keys, Home and End; one tab stop)."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Web, sign_in_page


def _focused(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className, tab: e.dataset ? e.dataset.tab : null,
                top: e.getBoundingClientRect().top}; }""")



def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(web: Web, chromium: Any) -> None:
    context = chromium.new_context()
    public = context.new_page()
    press = sign_in_page(context, web.url, web.spokesperson.email)
    for page, url in ((public, f"{web.url}/newsroom/nl"), (public, f"{web.url}/subscribe"),
                      (press, f"{web.url}/press"), (press, f"{web.url}/press/releases")):
        page.goto(url)
        assert page.locator("a.skip").bounding_box()["y"] < 0, url  # type: ignore[index]  # out of sight
        page.keyboard.press("Tab")
        first = _focused(page)
        assert first["cls"] == "skip" and first["top"] >= 0, (url, first)  # shown when focused
        page.keyboard.press("Enter")
        assert _focused(page)["id"] == "main", url
    context.close()


def test_editor_language_tabs_follow_the_aria_tabs_pattern(web: Web, chromium: Any) -> None:
    context = chromium.new_context()
    page = sign_in_page(context, web.url, web.spokesperson.email)
    page.goto(f"{web.url}/press/releases/new")
    tabs = page.eval_on_selector_all("[role=tab]", "(ts) => ts.map((t) => t.dataset.tab)")
    assert tabs == ["nl", "fr", "en", "de"]

    def state() -> tuple[str | None, list[str], list[str]]:
        selected = page.eval_on_selector_all("[role=tab][aria-selected=true]", "(ts) => ts.map((t) => t.dataset.tab)")
        stops = page.eval_on_selector_all("[role=tab][tabindex='0']", "(ts) => ts.map((t) => t.dataset.tab)")
        shown = page.eval_on_selector_all("[role=tabpanel]:not([hidden])", "(ps) => ps.map((p) => p.dataset.panel)")
        assert selected == stops == shown, (selected, stops, shown)  # one tab stop, its panel shown
        return _focused(page)["tab"], selected, shown

    page.focus("#tab-nl")
    assert state() == ("nl", ["nl"], ["nl"])
    for key, expected in (("ArrowRight", "fr"), ("ArrowRight", "en"), ("End", "de"), ("ArrowRight", "nl"),
                          ("ArrowLeft", "de"), ("Home", "nl"), ("ArrowLeft", "de"), ("ArrowLeft", "en")):
        page.keyboard.press(key)
        assert state() == (expected, [expected], [expected]), key
    # Tab leaves the tab list for the panel's first field, not for the next tab.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "title_en"
    page.keyboard.type("Minister visits Kinshasa")
    preview = page.frame_locator("#preview")
    from playwright.sync_api import expect

    expect(preview.locator("body")).to_contain_text("Minister visits Kinshasa", timeout=15_000)
    context.close()
