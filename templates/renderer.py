"""The renderer: Jinja2 fills the MJML and text templates, MRML compiles the MJML, once.

A message is compiled once per (template, language, input, sender, embargo shown or not) and
kept in a small LRU cache; since a release input carries its revision, that is "once per
revision, language and template". What differs per recipient (name, address, unsubscribe,
preferences and view-online URLs, the access query of release links) is rendered as unguessable
markers, and the compiled HTML and text are split around them, so personalising is a join of
prepared strings, not a render.

User text only ever enters Jinja as context values (autoescaped in .mjml, verbatim in .txt);
it never becomes template source.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import mjml
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateSyntaxError,
    select_autoescape,
)
from markupsafe import Markup, escape

from core.db import as_utc, utcnow
from core.errors import InvalidInput
from core.settings import get_settings
from templates.errors import BrokenTemplate, UnknownTemplate, UnsafeURL, WrongInput
from templates.i18n import (
    check_language,
    format_dateline,
    format_day,
    format_days,
    language_name,
    translator,
    zone,
    zone_city,
)
from templates.inputs import (
    AccountLinkInput,
    AlreadySubscribedInput,
    ChangesRequestedInput,
    CommentMentionInput,
    ConfirmSubscriptionInput,
    DigestInput,
    DocumentItem,
    ImageItem,
    MailingProblemInput,
    PublishedReceiptInput,
    ReleaseInput,
    ReviewRequestInput,
    Sender,
    WebhookDisabledInput,
    WelcomeInput,
    WithdrawalInput,
)
from templates.markup import is_safe_url, markdown_to_html, markdown_to_text

TEMPLATE_DIR = Path(__file__).parent / "mail"
PERSONAL_FIELDS: tuple[str, ...] = (
    "name", "email", "unsubscribe_url", "preferences_url", "view_online_url", "access_query", "click_path",
)
# An access query is appended to URLs as it is: "?" and URL-safe characters only, so it can
# neither leave the href (it is HTML-escaped as well) nor turn into a path or a fragment.
_ACCESS_QUERY = re.compile(r"\?[A-Za-z0-9._~=&%-]+")
# A path segment added to tracked links of one copy (per-recipient click tracking): "/" and
# URL-safe characters only, so it stays inside the path of the link it follows.
_CLICK_PATH = re.compile(r"/[A-Za-z0-9._-]+")
# Release kinds without a template of their own are printed as press releases.
RELEASE_TEMPLATES = {"annual_report": "annual_report"}
# CSS pixels: the lead image fills the 640 px body less its padding; gallery thumbnails go three
# to a row (their `w400` rendition is sharp on high-density screens at this size).
LEAD_WIDTH = 600
THUMBNAIL_WIDTH = 190
GALLERY_ROW = 3


def release_template(kind: str) -> str:
    """The template a release of `kind` is mailed with."""
    return RELEASE_TEMPLATES.get(str(kind), "press_release")


@dataclass(frozen=True)
class Personalisation:
    """The per-recipient values filled into a compiled message.

    `access_query` ("" or e.g. "?access=TOKEN") is appended to the links to the release's other
    language versions, so a recipient of an embargoed release can open them before the lift;
    the view-online URL carries its token itself. `click_path` ("" or "/TOKEN") follows every
    tracked link of a copy when clicks are recorded per recipient (`reports.links`). Raises
    InvalidInput for a malformed query or path.
    """

    email: str
    name: str = ""
    unsubscribe_url: str = ""
    preferences_url: str = ""
    view_online_url: str = ""
    access_query: str = ""
    click_path: str = ""

    def __post_init__(self) -> None:
        if self.access_query and not _ACCESS_QUERY.fullmatch(self.access_query):
            raise InvalidInput(
                "access_query", f"{self.access_query[:80]!r} is not '?' and URL-safe characters"
            )
        if self.click_path and not _CLICK_PATH.fullmatch(self.click_path):
            raise InvalidInput("click_path", f"{self.click_path[:80]!r} is not '/' and URL-safe characters")

    def values(self) -> dict[str, str]:
        # A greeting needs something to say: the address stands in for a missing name.
        return {
            "name": self.name or self.email,
            "email": self.email,
            "unsubscribe_url": self.unsubscribe_url,
            "preferences_url": self.preferences_url,
            "view_online_url": self.view_online_url,
            "access_query": self.access_query,
            "click_path": self.click_path,
        }


@dataclass(frozen=True)
class RenderedMessage:
    """One recipient's subject, HTML and text."""

    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class CompiledMessage:
    """A message compiled for one (template, language, input): ready to personalise.

    `html_parts` and `text_parts` alternate literal text and field names (literal, field,
    literal, …, literal); HTML literals are final HTML, fields are filled in escaped.
    """

    template: str
    language: str
    key: str
    subject: str
    bulk: bool
    html_parts: tuple[str, ...]
    text_parts: tuple[str, ...]
    defaults: tuple[tuple[str, str], ...] = ()
    compile_seconds: float = 0.0  # Jinja + MJML + splitting, for the benchmark and logs
    mjml_seconds: float = 0.0

    def values(self, personal: Personalisation) -> dict[str, str]:
        """The recipient's values, with this message's defaults for the empty ones."""
        values = personal.values()
        for name, default in self.defaults:
            if not values.get(name):
                values[name] = default
        return values

    def personalise(self, personal: Personalisation) -> RenderedMessage:
        """Subject, HTML and text for one recipient."""
        values = self.values(personal)
        escaped = {name: html.escape(value, quote=True) for name, value in values.items()}
        return RenderedMessage(
            self.subject, fill(self.html_parts, escaped), fill(self.text_parts, values)
        )


def fill(parts: tuple[str, ...], values: Mapping[str, str]) -> str:
    """Join literal parts with the values of the fields between them."""
    out = list(parts)
    for index in range(1, len(out), 2):
        out[index] = values[out[index]]
    return "".join(out)


@dataclass
class _Helpers:
    """What the input builders need besides their input."""

    language: str
    sender: Sender
    now: datetime
    t: Callable[..., str]
    tz_name: str

    def dateline(self, moment: datetime) -> str:
        return format_dateline(moment, self.language, zone(self.tz_name))

    def zoned(self, moment: datetime) -> str:
        """A time readers act on (an embargo's lift), with its zone named: "…, 09:00 (Brussel)"."""
        return f"{self.dateline(moment)} ({zone_city(self.tz_name, self.language)})"

    def day(self, moment: datetime) -> str:
        return format_day(moment, self.language, zone(self.tz_name))


@dataclass(frozen=True)
class _Built:
    context: dict[str, Any]
    subject: str
    preheader: str = ""
    defaults: tuple[tuple[str, str], ...] = ()
    why: str = ""  # the key of the footer's "why you receive this"; "" for the kind's usual one


@dataclass(frozen=True)
class _Kind:
    name: str
    input_type: type
    bulk: bool
    build: Callable[[Any, _Helpers], _Built]
    # What else, besides the input, changes the output: e.g. whether the embargo still holds.
    variant: Callable[[Any, datetime], Hashable] = field(default=lambda data, now: None)


def _url(value: str, what: str, required: bool = True) -> str:
    if not value and not required:
        return ""
    if not is_safe_url(value):
        raise UnsafeURL(what, value)
    return value


def _embargo_shown(data: ReleaseInput, now: datetime) -> bool:
    return data.embargo_until is not None and as_utc(data.embargo_until) > now


def _build_release(data: ReleaseInput, h: _Helpers) -> _Built:
    text = data.text(h.language)
    embargo = h.zoned(data.embargo_until) if _embargo_shown(data, h.now) and data.embargo_until else ""
    kind_key = f"kind_{data.kind}"
    try:
        kind_label = h.t(kind_key)
    except KeyError:
        kind_label = h.t("kind_press_release")
    contacts = [
        {
            "name": contact.name,
            "function": contact.function(h.language, data.default_language),
            "phone": contact.phone,
            "mobile": contact.mobile,
            "email": contact.email,
        }
        for contact in data.contacts
    ]
    others = [
        {"language": other.language, "name": language_name(other.language), "url": _url(other.url, "url")}
        for other in data.texts
        if other.language != h.language and other.url
    ]
    links = [{"label": link.label, "url": _url(link.url, "links.url")} for link in text.links]
    lead_image = _image(data.lead_image, LEAD_WIDTH, "lead_image", data, h) if data.lead_image else None
    thumbnails = [_image(image, THUMBNAIL_WIDTH, "gallery", data, h) for image in data.gallery]
    documents = [_document(document, data, h) for document in data.documents]
    subject = (
        h.t("subject_embargo", when=embargo, title=text.title) if embargo else text.title
    )
    context = {
        "kind_label": kind_label,
        "dateline": h.dateline(data.dateline),
        "embargo": h.t("embargo", when=embargo) if embargo else "",
        "title": text.title,
        "lead": text.lead,
        "body_html": markdown_to_html(text.body),
        "body_text": markdown_to_text(text.body),
        "links": links,
        "other_versions": others,
        "contacts": contacts,
        "lead_image": lead_image,
        "gallery": [thumbnails[i:i + GALLERY_ROW] for i in range(0, len(thumbnails), GALLERY_ROW)],
        "gallery_url": _url(text.url, "url", required=False),
        "documents": documents,
    }
    view_online = _url(text.url, "url", required=False) or h.sender.website
    return _Built(context, subject, text.lead, (("view_online_url", view_online),))


def _image(image: ImageItem, max_width: int, what: str, data: ReleaseInput, h: _Helpers) -> dict[str, Any]:
    """A picture at most `max_width` CSS pixels wide, its height in proportion (so the mail
    keeps its layout while the picture loads, or when pictures are blocked)."""
    if image.width <= 0 or image.height <= 0:
        raise WrongInput(what, "an image with a width and a height", f"{image.width}×{image.height}")
    width = min(image.width, max_width)
    words = image.text(h.language, data.default_language)
    return {
        "url": _url(image.url, f"{what}.url"),
        "url_2x": _url(image.url_2x, f"{what}.url_2x", required=False),
        "width": width,
        "height": max(1, round(image.height * width / image.width)),
        "alt": words.alt,
        "caption": words.caption,
        "credit": h.t("credit", credit=words.credit) if words.credit else "",
    }


def _document(document: DocumentItem, data: ReleaseInput, h: _Helpers) -> dict[str, Any]:
    """A download: its title (else its file name) and "PDF, 4,2 MB, 48 pagina's"."""
    words = document.text(h.language, data.default_language)
    details = [document.type_label, document.size_label(h.language, data.default_language)]
    if document.pages:
        details.append(h.t("page_one") if document.pages == 1 else h.t("pages", count=document.pages))
    return {
        "url": _url(document.url, "documents.url"),
        "title": words.title or document.filename,
        "details": ", ".join(detail for detail in details if detail),
    }


def _build_digest(data: DigestInput, h: _Helpers) -> _Built:
    if data.period not in ("daily", "weekly"):
        raise WrongInput("digest", "a daily or weekly period", repr(data.period))
    days = format_days(data.first_day, data.last_day, h.language)
    items = [
        {
            "title": item.title,
            "lead": item.lead,
            "url": _url(item.url, "items.url"),
            "date": h.dateline(item.published_at) if item.published_at else "",
        }
        for item in data.items
    ]
    heading = h.t(f"heading_{data.period}", period=days)
    subject = h.t(f"subject_{data.period}", organisation=h.sender.name, period=days)
    preheader = " · ".join(item.title for item in data.items[:3])
    return _Built({"heading": heading, "items": items}, subject, preheader,
                  (("view_online_url", h.sender.website),))


# How an address came onto a list → the footer that says so ("entered on the website").
_WHY_BY_ORIGIN = {"web": "why", "office": "why_office", "import": "why_import"}


def _subscription_notice(lists: tuple[str, ...], url: str, field: str, origin: str, h: _Helpers) -> _Built:
    """A mail about a sign-up for `lists`, whose one button leads to `url`, saying in its footer
    how the address was given (`origin`)."""
    why = _WHY_BY_ORIGIN.get(origin)
    if why is None:
        raise WrongInput("origin", " or ".join(_WHY_BY_ORIGIN), repr(origin))
    context = {
        "intro": h.t("intro", organisation=h.sender.name, lists=", ".join(lists)),
        "button_url": _url(url, field),
    }
    return _Built(context, h.t("subject", organisation=h.sender.name), context["intro"], why=why)


def _build_confirm(data: ConfirmSubscriptionInput, h: _Helpers) -> _Built:
    return _subscription_notice(data.lists, data.confirm_url, "confirm_url", data.origin, h)


def _build_already(data: AlreadySubscribedInput, h: _Helpers) -> _Built:
    return _subscription_notice(data.lists, data.preferences_url, "preferences_url", data.origin, h)


def _build_welcome(data: WelcomeInput, h: _Helpers) -> _Built:
    built = _subscription_notice(data.lists, data.preferences_url, "preferences_url", data.origin, h)
    built.context.update({
        "newsroom_url": _url(data.newsroom_url, "newsroom_url"),
        "newsroom": h.t("newsroom"),
        "privacy_url": _url(data.privacy_url, "privacy_url", required=False),
        "privacy": h.t("privacy"),
    })
    return built


def _build_review(data: ReviewRequestInput, h: _Helpers) -> _Built:
    if data.web_only and not data.lists:
        audience = [h.t("web_only")]
    else:
        audience = [h.t("recipients", count=data.recipients,
                        lists=", ".join(f"{slug} {n}" for slug, n in data.lists))]
        if data.languages:
            audience.append(h.t("by_language", languages=", ".join(f"{lang} {n}" for lang, n in data.languages)))
        if data.embargo_until is not None:
            audience.append(h.t("held", count=data.held, when=h.zoned(data.embargo_until)))
    intro = h.t("intro", author=data.author)
    if data.total > 1:
        intro = h.t("step", position=data.position, total=data.total, step=data.step) + " " + intro
    context: dict[str, Any] = {
        "intro": intro,
        "title": data.title,
        "button_url": _url(data.review_url, "review_url"),
        "audience_heading": h.t("audience"),
        "audience": audience,
    }
    return _Built(context, h.t("subject", title=data.title), intro)


def _build_changes(data: ChangesRequestedInput, h: _Helpers) -> _Built:
    context = {
        "intro": h.t("intro", reviewer=data.reviewer),
        "title": data.title,
        "comment": data.comment,
        "button_url": _url(data.edit_url, "edit_url"),
    }
    return _Built(context, h.t("subject", title=data.title), context["intro"])


def _build_mention(data: CommentMentionInput, h: _Helpers) -> _Built:
    context = {
        "intro": h.t("intro", author=data.author),
        "title": data.title,
        "comment": data.comment,
        "button_url": _url(data.url, "url"),
    }
    return _Built(context, h.t("subject", author=_one_line(data.author), title=_one_line(data.title)),
                  context["intro"])


def _build_receipt(data: PublishedReceiptInput, h: _Helpers) -> _Built:
    names = ", ".join(language_name(lang, h.language) for lang in data.languages)
    context = {
        "intro": h.t("intro", when=h.dateline(data.published_at)),
        "title": data.title,
        "languages": h.t("languages", languages=names) if names else "",
        "button_url": _url(data.url, "url", required=False),
    }
    return _Built(context, h.t("subject", title=data.title), context["intro"])


def _build_mailing_problem(data: MailingProblemInput, h: _Helpers) -> _Built:
    if data.reason and data.failed:  # its batches failed the deliveries (delivery.engine.fail_claims)
        intro = h.t("stopped", reason=data.reason, failed=data.failed, total=data.total, sent=data.sent)
    elif data.reason:
        intro = h.t("not_started", reason=data.reason)
    elif data.total == 0:
        intro = h.t("nobody")
    else:
        intro = h.t("failed", failed=data.failed, total=data.total, sent=data.sent)
    context = {"intro": intro, "title": data.title, "button_url": _url(data.url, "url", required=False)}
    return _Built(context, h.t("subject", title=data.title), intro)


def _build_webhook_disabled(data: WebhookDisabledInput, h: _Helpers) -> _Built:
    intro = h.t("intro_gone", url=data.url) if data.gone else h.t("intro", url=data.url, failures=data.failures)
    context = {"intro": intro, "last_error": h.t("last_error", error=data.last_error),
               "hint": h.t("hint", id=data.endpoint_id),
               "button_url": _url(data.url_of_deliveries, "url_of_deliveries", required=False)}
    return _Built(context, h.t("subject", url=_one_line(data.url)), intro)


def _build_account_link(data: AccountLinkInput, h: _Helpers) -> _Built:
    """An invitation or a password reset: one button to the page where a password is chosen."""
    days, hours = divmod(data.valid_hours, 24)
    if days and not hours:
        valid = h.t("valid_days", days=days)
    else:
        valid = h.t("valid_one_hour") if data.valid_hours == 1 else h.t("valid_hours", hours=data.valid_hours)
    intro = h.t("intro", organisation=h.sender.name)
    context = {"intro": intro, "button_url": _url(data.url, "url"), "valid": valid}
    return _Built(context, h.t("subject", organisation=h.sender.name), intro)


def _one_line(value: str) -> str:
    """`value` with every run of whitespace, line breaks included, as one space: for subjects."""
    return " ".join(value.split())


def _build_withdrawal(data: WithdrawalInput, h: _Helpers) -> _Built:
    title_language, title = data.title(h.language)
    # Typed in a form: CR LF and lone CRs are line breaks like LF.
    reason = data.reason.replace("\r\n", "\n").replace("\r", "\n").strip()
    intro = h.t("intro", date=h.dateline(data.dateline))
    context = {
        "intro": intro,
        "release_title": title,
        "title_language": title_language,
        "reason": reason,
        "withdrawn_at": h.t("withdrawn_at", when=h.dateline(data.withdrawn_at)),
    }
    # The subject is a header: a title is one line already, and the reason never goes there.
    return _Built(context, h.t("subject", title=_one_line(title)), f"{intro} {_one_line(title)}",
                  (("view_online_url", h.sender.website),))


KINDS: dict[str, _Kind] = {
    kind.name: kind
    for kind in (
        _Kind("press_release", ReleaseInput, True, _build_release, _embargo_shown),
        _Kind("annual_report", ReleaseInput, True, _build_release, _embargo_shown),
        _Kind("digest", DigestInput, True, _build_digest),
        _Kind("confirm_subscription", ConfirmSubscriptionInput, False, _build_confirm),
        _Kind("already_subscribed", AlreadySubscribedInput, False, _build_already),
        _Kind("welcome", WelcomeInput, False, _build_welcome),
        _Kind("review_request", ReviewRequestInput, False, _build_review),
        _Kind("changes_requested", ChangesRequestedInput, False, _build_changes),
        _Kind("comment_mention", CommentMentionInput, False, _build_mention),
        _Kind("published_receipt", PublishedReceiptInput, False, _build_receipt),
        _Kind("withdrawal_notice", WithdrawalInput, True, _build_withdrawal),
        _Kind("mailing_problem", MailingProblemInput, False, _build_mailing_problem),
        _Kind("webhook_disabled", WebhookDisabledInput, False, _build_webhook_disabled),
        _Kind("invitation", AccountLinkInput, False, _build_account_link),
        _Kind("password_reset", AccountLinkInput, False, _build_account_link),
    )
}
TEMPLATE_NAMES: tuple[str, ...] = tuple(KINDS)


def _lines(value: str) -> Markup:
    """Plain text with its line breaks kept, for HTML."""
    return Markup("<br />\n").join(escape(line) for line in str(value).split("\n"))


def _tidy_text(text: str) -> str:
    lines = [line if line == "-- " else line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


class Renderer:
    """Compiles messages and caches the results; safe to share between threads."""

    def __init__(self, cache_size: int = 256, template_dir: Path = TEMPLATE_DIR) -> None:
        self.env = Environment(
            loader=FileSystemLoader(template_dir),
            autoescape=select_autoescape(
                enabled_extensions=("mjml", "html"), disabled_extensions=("txt",), default=True
            ),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.filters["lines"] = _lines
        self.cache_size = cache_size
        self._cache: OrderedDict[Hashable, CompiledMessage] = OrderedDict()
        self._lock = threading.Lock()
        # Random per renderer: text in a release cannot spell a marker and get filled in.
        nonce = secrets.token_hex(8)
        self._markers = {name: f"PRSNL{nonce}{name}LNSRP" for name in PERSONAL_FIELDS}
        self._split = re.compile(f"PRSNL{nonce}([a-z_]+)LNSRP")
        self.hits = 0
        self.misses = 0

    def compile(
        self,
        template: str,
        language: str,
        data: Any,
        sender: Sender,
        *,
        now: datetime | None = None,
        use_cache: bool = True,
    ) -> CompiledMessage:
        """The message `template` for `data` in `language`, from the cache when possible.

        Raises UnknownTemplate, UnsupportedLanguage, WrongInput, MissingTranslation, UnsafeURL.
        """
        kind = KINDS.get(template)
        if kind is None:
            raise UnknownTemplate(template, TEMPLATE_NAMES)
        if not isinstance(data, kind.input_type):
            raise WrongInput(template, kind.input_type.__name__, type(data).__name__)
        check_language(language)
        moment = as_utc(now) if now is not None else utcnow()
        tz_name = get_settings().mail_timezone
        key = (template, language, data, sender, tz_name, kind.variant(data, moment))
        if use_cache:
            with self._lock:
                cached = self._cache.get(key)
                if cached is not None:
                    self._cache.move_to_end(key)
                    self.hits += 1
                    return cached
        compiled = self._compile(kind, language, data, sender, moment, tz_name)
        if use_cache:
            with self._lock:
                self.misses += 1
                self._cache[key] = compiled
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return compiled

    def check_templates(self) -> int:
        """Compile every template file (Jinja parses it into code); returns how many. Raises
        BrokenTemplate naming the first file and line that does not compile."""
        names = self.env.list_templates(extensions=["mjml", "txt", "html"])
        for name in names:
            try:
                self.env.get_template(name)
            except TemplateSyntaxError as exc:
                raise BrokenTemplate(name, exc.lineno, exc.message or str(exc)) from None
        return len(names)

    def clear(self) -> None:
        """Forget every compiled message."""
        with self._lock:
            self._cache.clear()

    def _compile(
        self, kind: _Kind, language: str, data: Any, sender: Sender, now: datetime, tz_name: str
    ) -> CompiledMessage:
        started = time.perf_counter()
        t = translator(kind.name, language)
        helpers = _Helpers(language, sender, now, t, tz_name)
        built = kind.build(data, helpers)
        organisation = {
            "name": sender.name,
            "address": sender.address,
            "phone": sender.phone,
            "website": _url(sender.website, "organisation.website", required=False),
            "website_label": sender.website.split("://", 1)[-1].rstrip("/"),
            "logo_url": _url(sender.logo_url, "logo_url", required=False),
        }
        why_key = built.why or ("why_bulk" if kind.bulk else "why")
        context = {
            **built.context,
            "language": language,
            "subject": built.subject,
            "preheader": built.preheader,
            "organisation": organisation,
            "bulk": kind.bulk,
            "personal": self._markers,
            "greeting": t("greeting", name=self._markers["name"]),
            "why": t(why_key, organisation=sender.name, email=self._markers["email"]),
            "t": t,
        }
        source = self.env.get_template(f"{kind.name}.mjml").render(context)
        mjml_started = time.perf_counter()
        try:
            html_out = mjml.mjml2html(source, fonts={})
        except Exception as exc:  # MRML's errors are plain exceptions; ours to fix, not the user's
            raise RuntimeError(f"MJML of template {kind.name!r} does not compile: {exc}") from exc
        mjml_seconds = time.perf_counter() - mjml_started
        text_out = _tidy_text(self.env.get_template(f"{kind.name}.txt").render(context))
        return CompiledMessage(
            template=kind.name,
            language=language,
            key=data.key,
            subject=built.subject,
            bulk=kind.bulk,
            html_parts=tuple(self._split.split(html_out)),
            text_parts=tuple(self._split.split(text_out)),
            defaults=built.defaults,
            compile_seconds=time.perf_counter() - started,
            mjml_seconds=mjml_seconds,
        )


_default: Renderer | None = None
_default_lock = threading.Lock()


def default_renderer() -> Renderer:
    """The process-wide renderer and its compile cache."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Renderer()
        return _default


def compile_message(
    template: str, language: str, data: Any, sender: Sender, *, now: datetime | None = None
) -> CompiledMessage:
    """Compile with the process-wide renderer (cached)."""
    return default_renderer().compile(template, language, data, sender, now=now)

