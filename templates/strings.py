"""Where each mail template finds its fixed strings: a chain of tables in the catalogue.

The strings themselves are in core/locale/<language>/LC_MESSAGES/pressroom.po, one msgctxt per
table ("mail.press_release"). A template looks a key up in its own table, then in its parent's,
then in "base" (see `CHAINS`). Placeholders use `str.format` names; values are filled in after
lookup and never parsed as format strings themselves, so user text with braces is harmless.
The tables that lived here moved to the catalogue.
"""

from __future__ import annotations

# Where a template looks for a key, in order; templates not listed use (name, "base").
CHAINS: dict[str, tuple[str, ...]] = {
    "annual_report": ("annual_report", "press_release", "base"),
}


def chain(template: str) -> tuple[str, ...]:
    """The tables `template` reads its strings from, nearest first."""
    return CHAINS.get(template, (template, "base"))
