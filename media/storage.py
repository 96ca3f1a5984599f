"""Where media bytes live: a content-addressed store chosen by URL, like the mail transports.

    file:///srv/pressroom/media                 a directory (default: data_dir/media)
    s3://bucket/prefix?endpoint=https://…&region=eu-west-1
                                                any S3-speaking service (AWS, MinIO, Ceph …);
                                                credentials come from the usual AWS variables

Keys are made here only (`original_key`, `rendition_key`) from a SHA-256 and a rendition name,
so no user input ever becomes a path or an object name.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from core.settings import get_settings
from media.errors import MediaMissing, UnusableMediaStore

_SHA = re.compile(r"^[0-9a-f]{64}$")
RENDITION_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,30}\.(jpg|png|webp)$")


def original_key(sha256: str) -> str:
    """The key of an uploaded file's own bytes."""
    return f"originals/{_checked(sha256)[:2]}/{sha256}"


def rendition_key(sha256: str, name: str) -> str:
    """The key of one rendition of a file."""
    if not RENDITION_NAME.match(name):
        raise ValueError(f"not a rendition name: {name!r}")
    return f"renditions/{_checked(sha256)[:2]}/{sha256}/{name}"


def kit_key(digest: str) -> str:
    """The key of a built media kit, named by the digest of everything in it."""
    return f"kits/{_checked(digest)[:2]}/{digest}.zip"


def _checked(sha256: str) -> str:
    if not _SHA.match(sha256):
        raise ValueError(f"not a SHA-256: {sha256!r}")
    return sha256


class Store(Protocol):
    """What the media room needs of a place to keep bytes."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def put_file(self, key: str, handle: IO[bytes], content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def stream(self, key: str) -> Iterator[bytes]: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def describe(self) -> str: ...


class FileStore:
    """A directory; every write goes to a temporary file renamed into place, so a reader never
    sees half a file and a crash leaves no torn object."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._write(key, lambda out: out.write(data))

    def put_file(self, key: str, handle: IO[bytes], content_type: str) -> None:
        self._write(key, lambda out: shutil.copyfileobj(handle, out, CHUNK))

    def _write(self, key: str, fill: Any) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                fill(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise MediaMissing("media object", key) from None

    def stream(self, key: str) -> Iterator[bytes]:
        """The object's bytes, a chunk at a time. The file is opened only when the first chunk is
        asked for: a response dropped before it starts (the reader went away) leaves no open file
        behind, which a generator that never ran could not close."""
        path = self._path(key)
        if not path.is_file():
            raise MediaMissing("media object", key)
        return _file_chunks(path)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def describe(self) -> str:
        return f"file://{self.root}"


class S3Store:
    """A bucket (and key prefix) of an S3-compatible service, through boto3."""

    def __init__(self, bucket: str, prefix: str, endpoint: str | None, region: str | None,
                 path_style: bool) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint = endpoint
        config = Config(s3={"addressing_style": "path" if path_style else "auto"},
                        retries={"max_attempts": 3, "mode": "standard"},
                        connect_timeout=5, read_timeout=30)
        self.client: Any = boto3.client("s3", endpoint_url=endpoint, region_name=region, config=config)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _call(self, action: str, key: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, action)(Bucket=self.bucket, Key=self._key(key), **kwargs)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("NoSuchKey", "404", "NotFound"):
                raise MediaMissing("media object", key) from None
            raise UnusableMediaStore(f"media store {self.describe()} refused {action}: {code or exc}") from None
        except BotoCoreError as exc:
            raise UnusableMediaStore(f"media store {self.describe()} cannot be reached: {exc}") from None

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._call("put_object", key, Body=data, ContentType=content_type)

    def put_file(self, key: str, handle: IO[bytes], content_type: str) -> None:
        self._call("put_object", key, Body=handle, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return bytes(self._call("get_object", key)["Body"].read())

    def stream(self, key: str) -> Iterator[bytes]:
        return _chunks(self._call("get_object", key)["Body"])

    def exists(self, key: str) -> bool:
        try:
            self._call("head_object", key)
        except MediaMissing:
            return False
        return True

    def delete(self, key: str) -> None:
        self._call("delete_object", key)

    def describe(self) -> str:
        where = f" at {self.endpoint}" if self.endpoint else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"


CHUNK = 256 * 1024


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from _chunks(handle)


def _chunks(handle: Any) -> Iterator[bytes]:
    """An open object's bytes, a chunk at a time, closed at the end (or when dropped)."""
    try:
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()


def default_media_url() -> str:
    """PRESSROOM_MEDIA_URL, or a directory under the data directory."""
    settings = get_settings()
    if settings.media_url:
        return settings.media_url
    return f"file://{(Path(settings.data_dir) / 'media').resolve()}"


def store_from_url(url: str) -> Store:
    """The store a media URL names; raises UnusableMediaStore for anything else."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path:
            raise UnusableMediaStore(f"media URL {url!r}: write file:///absolute/path")
        return FileStore(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise UnusableMediaStore(f"media URL {url!r}: write s3://bucket/prefix")
        query = parse_qs(parts.query)
        unknown = sorted(set(query) - {"endpoint", "region", "path_style"})
        if unknown:
            raise UnusableMediaStore(f"media URL {url!r}: unknown options {', '.join(unknown)} "
                                     "(known: endpoint, region, path_style)")
        endpoint = query.get("endpoint", [None])[0]
        if endpoint is not None and not endpoint.startswith(("http://", "https://")):
            raise UnusableMediaStore(f"media URL {url!r}: endpoint must be an http(s) URL")
        return S3Store(parts.netloc, unquote(parts.path), endpoint, query.get("region", [None])[0],
                       query.get("path_style", ["false"])[0].lower() in ("1", "true", "yes"))
    raise UnusableMediaStore(f"media URL {url!r}: use file:///path or s3://bucket/prefix")


@lru_cache(maxsize=4)
def _store(url: str) -> Store:
    return store_from_url(url)


def get_store() -> Store:
    """The configured store (one per URL per process)."""
    return _store(default_media_url())
