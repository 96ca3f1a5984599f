"""A release's files on the public side: each rendition (and a document's own bytes) at
`/media/{release}/{sha256}/{name}`, the media kit zip, and how the release page links them.

Whether a file may be served is decided at each request, by the rule of the release's page:
the file must be one the release's current revision names (what was approved is what is shown),
and the release must be public now. Before that, every URL of it answers the 404 of an unknown
id, except to the recipient of its embargoed mail (their access token) or, for that revision's
files only, to the readers of its test mail (a proof token): then the answer is theirs alone,
never cached nor indexed. A withdrawn release's files answer 410 if it had been public.

Served bytes are never a page: each response names its type, forbids sniffing another, and
carries a policy that runs nothing should a browser open it as a document anyway.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session

from core.errors import InvalidInput
from core.settings import get_settings
from media.checks import BY_EXTENSION
from media.errors import MediaMissing
from media.library import plain_name
from media.storage import RENDITION_NAME, get_store, kit_key, original_key, rendition_key
from media.urls import ORIGINAL, media_kit_path, media_path, media_url
from media.views import Attached, Rendition, attached, size_label
from subscribers.errors import InvalidToken
from subscribers.tokens import read_proof_token
from templates.i18n import LOCALES
from web.deps import reading
from web.errors import PageNotFound
from web.i18n import negotiate, translate, ui_language
from web.pages import render
from web.public import UNDER_EMBARGO, Access, Lang, ReleaseId, configured_language, is_recipient
from web.queries import PublicRelease, public_release, release_files
from workflow.content import MediaText

router = APIRouter(include_in_schema=False)

_SHA = re.compile(r"^[0-9a-f]{64}$")
# A public file is named by its hash and never changes, but a release can be withdrawn: a day
# is long for a browser or a CDN, and short enough that a withdrawal takes hold.
PUBLIC_CACHE = "public, max-age=86400"
# Opened as a document, a served file runs nothing and loads nothing.
FILE_POLICY = "default-src 'none'; sandbox"
# Pictures are compressed already: stored in the zip as they are.
_STORED = zipfile.ZIP_STORED
_SPOOL_IN_MEMORY = 16 * 1024 * 1024
KIT_TEXT = "captions.txt"


# --- serving one file ---------------------------------------------------------------------------


def _grant(session: Session, release_id: int, access: str | None) -> tuple[bool, int | None]:
    """(recipient, proof revision) an `?access=` value grants on this release: a genuine access
    token of a subscriber who still holds that address, or a proof token of this release. Any
    other value grants nothing and so changes no answer."""
    if not access:
        return False, None
    if is_recipient(session, release_id, access):
        return True, None
    try:
        proof_release, revision = read_proof_token(access)
    except InvalidToken:
        return False, None
    return False, revision if proof_release == release_id else None


@router.get("/media/{release_id}/{sha256}/{name}")
def media_file(request: Request, release_id: ReleaseId, sha256: Annotated[str, Path(max_length=64)],
               name: Annotated[str, Path(max_length=40)], access: Access = None) -> Response:
    """One rendition of a release's file, or a document's own bytes (`original`)."""
    if not _SHA.match(sha256) or not (name == ORIGINAL or RENDITION_NAME.match(name)):
        raise PageNotFound("file")
    with reading() as session:
        early, proof = _grant(session, release_id, access)
        files = release_files(session, release_id, early=early, proof_revision=proof)
        item = next((i for i in files.content.media if i.sha256 == sha256), None) if files.content else None
        found = attached(session, [item]) if item is not None else []
    if files.outcome == "withdrawn":
        return _gone(request)
    if not found:
        raise PageNotFound("file")
    file = found[0]
    disposition: str | None
    if name == ORIGINAL:
        if file.kind != "document":  # an image's own bytes keep their metadata: never served
            raise PageNotFound("file")
        key, mime = original_key(sha256), file.mime
        disposition = _disposition("attachment", download_name(file.filename, file.extension))
    else:
        rendition = file.renditions.get(name)
        if rendition is None:
            raise PageNotFound("file")
        key, mime = rendition_key(sha256, name), rendition.mime
        # The full resolution is what the gallery offers to download: saved under its name, not
        # opened in a browser's picture viewer (whose own styling the file's policy refuses).
        disposition = (_disposition("attachment", download_name(file.filename, name.rsplit(".", 1)[1]))
                       if name.startswith("full.") else None)
    headers = {"Content-Security-Policy": FILE_POLICY, "X-Content-Type-Options": "nosniff",
               "ETag": f'"{sha256[:32]}-{name}"'}
    headers.update({"Cache-Control": PUBLIC_CACHE} if files.public else UNDER_EMBARGO)
    if disposition:
        headers["Content-Disposition"] = disposition
    if files.public and headers["ETag"] in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    try:
        chunks = get_store().stream(key)
    except MediaMissing:
        raise PageNotFound("file") from None
    return StreamingResponse(chunks, media_type=mime, headers=headers)


def _gone(request: Request, language: str | None = None) -> Response:
    """410 for the files of a release withdrawn after it had been public."""
    lang = ui_language(language or negotiate(request.headers.get("accept-language")))
    return render(request, "public/error.html", {"status": 410, "message": translate("withdrawn_release", lang),
                                                 "page_language": language},
                  language=lang, status=410)


def _disposition(kind: str, filename: str) -> str:
    """A Content-Disposition naming `filename` (RFC 6266): an ASCII stand-in for old clients,
    the real name percent-encoded in UTF-8 for the others; no quote or line break gets through."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("._") or "download"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_name(filename: str, extension: str) -> str:
    """The revision's name for a file, ending in the extension of what is served (a name that
    claimed another type would have a reader's computer open it with the wrong program)."""
    try:
        name = plain_name(filename.replace("/", "_").replace("\\", "_"))
    except InvalidInput:
        name = "file"
    stem, dot, own = name.rpartition(".")
    accepted = BY_EXTENSION[extension].extensions if extension in BY_EXTENSION else (extension,)
    if dot and own.lower() in accepted:
        return name
    return f"{stem if dot else name}.{extension}"


# --- the media kit ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KitEntry:
    name: str
    key: str
    file: Attached


def full_rendition(file: Attached) -> Rendition | None:
    """The full-resolution download of an image (in its own format, stripped of metadata)."""
    return next((r for name, r in file.renditions.items() if name.startswith("full.")), None)


def kit_entries(item: PublicRelease) -> list[KitEntry]:
    """The files of a release's media kit, each under a name unique in the zip (whatever the
    case), images at full resolution, documents as uploaded."""
    taken = {KIT_TEXT.lower()}
    entries = []
    for file in item.media:
        if file.kind == "document":
            key, extension = original_key(file.sha256), file.extension
        else:
            full = full_rendition(file)
            if full is None:
                continue
            key, extension = rendition_key(file.sha256, full.name), full.name.rsplit(".", 1)[1]
        name = download_name(file.filename, extension)
        stem, _, suffix = name.rpartition(".")
        number = 1
        while name.lower() in taken:
            number += 1
            name = f"{stem}-{number}.{suffix}"
        taken.add(name.lower())
        entries.append(KitEntry(name, key, file))
    return entries


def kit_text(item: PublicRelease, entries: list[KitEntry]) -> str:
    """What goes with the files: the release, and each file's title or caption and credit."""
    lines = [item.title, f"{get_settings().base_url.rstrip('/')}/releases/{item.id}/{item.language}", ""]
    for entry in entries:
        text = entry.file.text(item.language, item.default_language)
        lines.append(entry.name)
        for value in (text.title, text.caption or text.alt):
            if value:
                lines.append(f"  {value}")
        if text.credit:
            lines.append("  " + translate("media_credit", ui_language(item.language), credit=text.credit))
        lines.append("")
    return "\n".join(lines)


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    return (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _write_kit(out: IO[bytes], item: PublicRelease, entries: list[KitEntry], text: str) -> None:
    store = get_store()
    when = _zip_time(item.public_at)
    with zipfile.ZipFile(out, "w") as kit:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time=when)
            info.compress_type = _STORED
            info.external_attr = 0o644 << 16
            kit.writestr(info, store.get(entry.key))
        info = zipfile.ZipInfo(KIT_TEXT, date_time=when)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        kit.writestr(info, text.encode("utf-8"))


@router.get("/releases/{release_id}/{lang}/media-kit.zip")
def media_kit(request: Request, release_id: ReleaseId, lang: Lang, access: Access = None) -> Response:
    """A zip of the release's full-resolution images and documents, by the page's rule."""
    language = configured_language(lang)
    with reading() as session:
        outcome, item = public_release(session, release_id, language,
                                       early=is_recipient(session, release_id, access))
    if outcome == "withdrawn":
        return _gone(request, language)
    entries = kit_entries(item) if outcome == "ok" and item is not None else []
    if item is None or not entries:
        raise PageNotFound("media kit")
    try:
        chunks = _kit(item, entries)
    except MediaMissing:
        raise PageNotFound("media kit") from None
    headers = {"Content-Disposition": f'attachment; filename="media-kit-{item.id}-{item.language}.zip"',
               "Content-Security-Policy": FILE_POLICY}
    headers.update(UNDER_EMBARGO if item.embargo_until else {"Cache-Control": PUBLIC_CACHE})
    return StreamingResponse(chunks, media_type="application/zip", headers=headers)


def _kit(item: PublicRelease, entries: list[KitEntry]) -> Iterator[bytes]:
    """The kit's bytes from the store, built and stored by the first request that asks for it:
    named by the digest of everything in it, so a kit is built once per revision and language,
    and a rush of downloads reads one file instead of zipping the release's files again each."""
    text = kit_text(item, entries)
    digest = hashlib.sha256("\n".join([text, *(f"{e.name}\t{e.key}" for e in entries)]).encode()).hexdigest()
    store, key = get_store(), kit_key(digest)
    if not store.exists(key):
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            _write_kit(spool, item, entries, text)
            spool.seek(0)
            store.put_file(key, spool, "application/zip")
    return store.stream(key)


# --- how the release page shows them ------------------------------------------------------------


@dataclass(frozen=True)
class PageMedia:
    """How a release page links its files. Every URL carries the page's access query, so that
    a recipient reading under embargo sees the pictures too."""

    item: PublicRelease
    access: str = ""  # "" or "?access=…", already URL-encoded

    def url(self, file: Attached, name: str) -> str:
        return media_path(self.item.id, file.sha256, name) + self.access

    def srcset(self, file: Attached, extension: str) -> str:
        return file.srcset(extension, media_path(self.item.id, file.sha256, ""), self.access)

    def text(self, file: Attached) -> MediaText:
        return file.text(self.item.language, self.item.default_language)

    def size(self, size: int) -> str:
        return size_label(size, self.item.language)

    def picture(self, file: Attached) -> Rendition | None:
        """The JPEG an old browser shows (and whose size the `<img>` declares): 800 px wide."""
        jpegs = sorted((r for name, r in file.renditions.items() if name.startswith("w") and name.endswith(".jpg")),
                       key=lambda r: r.width)
        return next((r for r in jpegs if r.width >= 800), jpegs[-1] if jpegs else None)

    def thumbnail(self, file: Attached) -> Rendition | None:
        return file.renditions.get("w400.jpg") or self.picture(file)

    def full(self, file: Attached) -> Rendition | None:
        return full_rendition(file)

    def download_name(self, file: Attached) -> str:
        full = full_rendition(file)
        return download_name(file.filename, full.name.rsplit(".", 1)[1] if full else file.extension)

    @property
    def kit(self) -> str:
        return media_kit_path(self.item.id, self.item.language) + self.access


def open_graph(item: PublicRelease, site: str) -> list[tuple[str, str, str]]:
    """The link-preview tags of a public release page: (attribute, name, content)."""
    page = f"{get_settings().base_url.rstrip('/')}/releases/{item.id}/{item.language}"
    description = item.lead or item.title
    tags = [("property", "og:type", "article"), ("property", "og:site_name", site),
            ("property", "og:title", item.title), ("property", "og:description", description[:300]),
            ("property", "og:url", page), ("property", "og:locale", LOCALES.get(item.language, item.language)),
            *(("property", "og:locale:alternate", LOCALES.get(code, code))
              for code in item.languages if code != item.language),
            ("property", "article:published_time", item.public_at.isoformat()),
            ("property", "article:modified_time", item.updated_at.isoformat())]
    lead = item.lead_image
    image = (lead.renditions.get("w1600.jpg") or lead.renditions.get("mail-1200.jpg")) if lead else None
    if lead is None or image is None:
        return [*tags, ("name", "twitter:card", "summary")]
    alt = lead.text(item.language, item.default_language).alt
    return [*tags, ("property", "og:image", media_url(item.id, lead.sha256, image.name)),
            ("property", "og:image:type", image.mime), ("property", "og:image:width", str(image.width)),
            ("property", "og:image:height", str(image.height)), ("property", "og:image:alt", alt),
            ("name", "twitter:card", "summary_large_image"), ("name", "twitter:image:alt", alt)]
