"""A strict reading of rendered HTML with the standard library: tags balanced, links collected."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Page:
    lang: str = ""
    title: str = ""
    hrefs: list[str] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)  # anything a client would fetch
    tags: set[str] = field(default_factory=set)
    event_handlers: list[str] = field(default_factory=list)
    text: str = ""
    errors: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[str] = []
        self.in_title = False
        self.in_style = False
        self.chunks: list[str] = []
        self.css: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.page.tags.add(tag)
        for name, _value in attrs:
            if name.startswith("on"):
                self.page.event_handlers.append(f"{tag}.{name}")
        if tag == "html":
            self.page.lang = values.get("lang") or ""
        if tag == "title":
            self.in_title = True
        if tag == "style":
            self.in_style = True
        if values.get("style"):
            self.css.append(values["style"] or "")
        if tag == "a" and "href" in values:
            self.page.hrefs.append(values["href"] or "")
        if tag == "img":
            self.page.images.append(values)
        for name in ("src", "background", "poster"):
            if values.get(name):
                self.page.resources.append(values[name] or "")
        if tag == "link" and values.get("href"):
            self.page.resources.append(values["href"] or "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "style":
            self.in_style = False
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.page.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
        if self.in_style:
            self.css.append(data)
            return
        self.chunks.append(data)


def read_html(source: str) -> Page:
    """Parse `source`; `errors` lists unbalanced tags, and unclosed ones at the end."""
    reader = _Reader()
    reader.feed(source)
    reader.close()
    page = reader.page
    if reader.stack:
        page.errors.append(f"unclosed: {reader.stack}")
    page.text = " ".join(" ".join(reader.chunks).split())
    css = " ".join(reader.css)
    if "@import" in css or "url(" in css:
        page.resources.append("css url()")
    return page
