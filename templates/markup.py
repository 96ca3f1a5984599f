"""Release bodies: Markdown to safe HTML for the HTML part, and to readable plain text.

The HTML path has two independent locks. markdown-it runs with raw HTML off and accepts only
absolute http(s) and mailto link targets (anything else stays literal text); then nh3 keeps an
allow-list of tags and attributes, drops any href that is not http(s)/mailto, and adds the inline
styles mail clients need. Images are not rendered: a body must not load remote resources.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
ALLOWED_TAGS = {
    "p", "br", "h1", "h2", "h3", "h4", "strong", "em", "ul", "ol", "li", "a", "blockquote",
    "code", "pre", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
LINK_COLOUR = "#1a4f8b"
# Inline styles, because many mail clients drop <style> blocks; set after sanitising, so the
# author can never choose a style attribute.
_STYLES = {
    "a": {"style": f"color:{LINK_COLOUR};text-decoration:underline", "target": "_blank"},
    "h1": {"style": "font-size:20px;line-height:1.3;margin:20px 0 8px"},
    "h2": {"style": "font-size:18px;line-height:1.3;margin:20px 0 8px"},
    "h3": {"style": "font-size:16px;line-height:1.3;margin:16px 0 6px"},
    "h4": {"style": "font-size:15px;line-height:1.3;margin:16px 0 6px"},
    "p": {"style": "margin:0 0 12px"},
    "ul": {"style": "margin:0 0 12px;padding-left:22px"},
    "ol": {"style": "margin:0 0 12px;padding-left:22px"},
    "blockquote": {"style": "margin:0 0 12px;padding-left:12px;border-left:3px solid #cccccc"},
}
# On the web the site's stylesheet does this, and its policy refuses style attributes.
_WEB = {"a": {"target": "_blank"}}


_HTTP = re.compile(r"https?://[^\s/?#@]+[^\s]*", re.IGNORECASE)
_MAILTO = re.compile(r"mailto:[^\s@]+@[^\s@]+", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_safe_url(url: str) -> bool:
    """Whether `url` is an absolute http(s) URL with a host, or a mailto URL with an address."""
    if _CONTROL.search(url):
        return False
    return bool(_HTTP.fullmatch(url) or _MAILTO.fullmatch(url))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")
    md.validateLink = _valid_link  # type: ignore[method-assign]
    return md


def _valid_link(url: str) -> bool:
    return is_safe_url(url.strip())


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "href" and not is_safe_url(value):
        return None
    return value


def sanitise_html(html: str, mail: bool = True) -> str:
    """`html` reduced to the allow-list, with mail-safe inline styles added (`mail`)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values=_STYLES if mail else _WEB,
        strip_comments=True,
    )


def markdown_to_html(source: str, mail: bool = True) -> Markup:
    """Markdown rendered and sanitised; safe to place in a template unescaped. `mail` False: for
    a web page, without the inline styles mail needs."""
    html = sanitise_html(_parser().render(source), mail)
    # Empty paragraphs are what is left of a stripped element; drop them.
    html = re.sub(r"<p[^>]*>\s*</p>", "", html)
    return Markup(html.strip())


def markdown_to_text(source: str) -> str:
    """Markdown as plain text: headings underlined, bullets kept, links as "label <url>"."""
    return _TextRenderer().render(_parser().parse(source)).strip()


class _TextRenderer:
    """Walks markdown-it tokens and writes the plain-text twin of the HTML."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [next number] or [] for bullets
        self.quotes: list[int] = []  # the open blockquotes, innermost last, each by its number
        self.opened = 0  # blockquotes opened so far, to number them
        self.previous_quotes: list[int] = []  # the quotes the last block was in
        self.item_prefix = ""
        self.previous_in_list = False

    def render(self, tokens: list[Token]) -> str:
        heading_level = 0
        for token in tokens:
            kind = token.type
            if kind == "heading_open":
                heading_level = int(token.tag[1])
            elif kind == "bullet_list_open":
                self.lists.append([])
            elif kind == "ordered_list_open":
                self.lists.append([int(token.attrGet("start") or 1)])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
                if not self.lists:
                    self.previous_in_list = False
            elif kind == "list_item_open":
                self.item_prefix = self._bullet()
            elif kind == "blockquote_open":
                self.opened += 1
                self.quotes.append(self.opened)
            elif kind == "blockquote_close":
                self.quotes.pop()
            elif kind == "hr":
                self._block("* * *")
            elif kind in ("fence", "code_block"):
                self._block("\n".join("    " + line for line in token.content.rstrip("\n").split("\n")))
            elif kind == "inline":
                text = self._inline(token.children or [])
                if heading_level:
                    underline = "=" if heading_level == 1 else "-"
                    text = f"{text}\n{underline * min(len(text), 72)}"
                    heading_level = 0
                self._block(text)
        return "\n\n".join(self.blocks)

    def _bullet(self) -> str:
        depth = "  " * (len(self.lists) - 1)
        current = self.lists[-1]
        if not current:
            return f"{depth}- "
        number = current[0]
        current[0] += 1
        return f"{depth}{number}. "

    def _block(self, text: str) -> None:
        in_list = bool(self.lists)
        if self.item_prefix:
            indent = " " * len(self.item_prefix)
            text = self.item_prefix + text.replace("\n", "\n" + indent)
            self.item_prefix = ""
        elif in_list:
            text = "  " * len(self.lists) + text.replace("\n", "\n" + "  " * len(self.lists))
        text = self._quoted(text)
        shared = self._shared_quotes()
        # Inside lists blocks follow each other without a blank line, as the Markdown reads.
        if in_list and self.previous_in_list and self.blocks:
            self.blocks[-1] += "\n" + text
        elif shared and self.blocks:
            # Paragraphs of one quote stay one quote: a quoted blank line between them, not a
            # blank line that would end the quote and start another.
            self.blocks[-1] += "\n" + ("> " * shared).rstrip() + "\n" + text
        else:
            self.blocks.append(text)
        self.previous_in_list = in_list
        self.previous_quotes = list(self.quotes)

    def _shared_quotes(self) -> int:
        """How many of the open blockquotes the previous block was in too."""
        shared = 0
        for previous, current in zip(self.previous_quotes, self.quotes, strict=False):
            if previous != current:
                break
            shared += 1
        return shared

    def _quoted(self, text: str) -> str:
        if not self.quotes:
            return text
        prefix = "> " * len(self.quotes)
        return "\n".join(prefix + line for line in text.split("\n"))

    def _inline(self, children: list[Token]) -> str:
        out: list[str] = []
        href_stack: list[tuple[str, int]] = []
        for child in children:
            kind = child.type
            if kind in ("text", "code_inline", "html_inline"):
                out.append(child.content)
            elif kind == "softbreak" or kind == "hardbreak":
                out.append("\n")
            elif kind == "link_open":
                href_stack.append((str(child.attrGet("href") or ""), len(out)))
            elif kind == "link_close" and href_stack:
                href, start = href_stack.pop()
                label = "".join(out[start:])
                target = href.removeprefix("mailto:")
                if href and label.strip() not in (href, target):
                    out.append(f" <{href}>")
        return "".join(out)
