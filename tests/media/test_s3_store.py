"""The S3 backend against a real S3-speaking server on loopback (moto's server mode): uploads,
renditions and refusals land (or do not land) as objects under the configured prefix, and a
store that cannot be used says so clearly, in the library, the command and `pressroom check`."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from PIL import Image
from sqlmodel import select

from cli.main import cli
from core.db import session_scope
from core.settings import override_settings
from media import library
from media.errors import MediaRefused, UnusableMediaStore
from media.models import MediaFile, MediaRendition, MediaStatus
from media.processing import process
from media.storage import get_store, original_key, rendition_key, store_from_url
from tests import factories
from tests.cli.helpers import fails, invoker, ok
from tests.media import files

BUCKET = "pressroom-media"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, sqlite_db: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Any:
    """A fresh prefix in the bucket as the media store; returns a boto3 client to look inside."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    if BUCKET not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET)
    prefix = f"test/{request.node.name.split('[')[0][-40:]}"
    override_settings(media_url=f"s3://{BUCKET}/{prefix}?endpoint={s3_endpoint}&region=us-east-1&path_style=true")
    client.prefix = prefix
    return client


def _keys(client: Any) -> list[str]:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=client.prefix + "/")
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_upload_process_and_read_renditions_through_s3(s3: Any) -> None:
    photo = files.jpeg_with_gps(1600, 1000)
    with session_scope() as session:
        media = library.upload(session, photo, "minister.jpg", factories.user(session))
        media_id, sha = media.id or 0, media.sha256
    assert _keys(s3) == [f"{s3.prefix}/{original_key(sha)}"]
    assert process(media_id) is MediaStatus.READY
    with session_scope() as session:
        names = set(session.exec(select(MediaRendition.name).where(MediaRendition.media_id == media_id)).all())
    assert {"mail-600.jpg", "mail-1200.jpg", "w800.webp", "full.jpg"} <= names
    keys = _keys(s3)
    assert {f"{s3.prefix}/{rendition_key(sha, name)}" for name in names} <= set(keys)
    assert all(key.startswith(f"{s3.prefix}/") for key in keys)
    store = get_store()
    assert store.describe().startswith(f"s3://{BUCKET}/{s3.prefix} at http://127.0.0.1:")
    for name in names:
        data = store.get(rendition_key(sha, name))
        assert b"SERIAL-0042-SECRET" not in data
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif(), name
    head = s3.head_object(Bucket=BUCKET, Key=f"{s3.prefix}/{rendition_key(sha, 'w800.webp')}")
    assert head["ContentType"] == "image/webp"


def test_a_hostile_file_leaves_no_object(s3: Any) -> None:
    with session_scope() as session:
        author = factories.user(session)
        for data, name in [(files.png_bomb(), "bomb.png"), (files.pdf_with_javascript(), "x.pdf"),
                           (files.SVG_WITH_SCRIPT, "logo.svg"), (files.jpeg_zip_polyglot(), "photo.jpg")]:
            with pytest.raises(MediaRefused):
                library.upload(session, data, name, author)
    assert _keys(s3) == []
    with session_scope() as session:
        assert session.exec(select(MediaFile)).all() == []


def test_an_unreachable_or_missing_store_is_a_clear_error(s3: Any, s3_endpoint: str, tmp_path: Path) -> None:
    unreachable = store_from_url("s3://bucket/p?endpoint=http://127.0.0.1:1&region=us-east-1")
    with pytest.raises(UnusableMediaStore, match=r"media store s3://bucket/p at http://127.0.0.1:1 cannot be reached"):
        unreachable.put("x", b"x", "text/plain")
    no_bucket = store_from_url(f"s3://no-such-bucket/p?endpoint={s3_endpoint}&region=us-east-1&path_style=true")
    with pytest.raises(UnusableMediaStore, match="refused put_object: NoSuchBucket"):
        no_bucket.put("x", b"x", "text/plain")

    # the command says so in one line and keeps no row of a file it could not store
    override_settings(media_url="s3://bucket/p?endpoint=http://127.0.0.1:1&region=us-east-1")
    run = invoker()
    ok(run("users", "add", "an@example.be", "--name", "An", "--role", "spokesperson"))
    source = tmp_path / "release.md"
    source.write_text("---\ntitle: Titel\nweb_only: true\n---\nTekst\n", encoding="utf-8")
    rid = str(json.loads(ok(run("releases", "new", str(source), "--as", "an@example.be", "--json")).stdout)["id"])
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(files.jpeg_with_gps(300, 200))
    fails(run("media", "add", rid, str(photo), "--alt", "Foto", "--as", "an@example.be"), 6,
          "cannot be reached")
    with session_scope() as session:
        assert session.exec(select(MediaFile)).all() == []


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://files.example.org/media", "use file:///path or s3://bucket/prefix"),
    ("file://server/share/media", "write file:///absolute/path"),
    ("s3:///prefix", "write s3://bucket/prefix"),
    ("s3://bucket/p?endpoint=http://127.0.0.1:9000&colour=red", "unknown options colour"),
    ("s3://bucket/p?endpoint=ftp://127.0.0.1", "endpoint must be an http(s) URL"),
])
def test_bad_media_urls_are_named(url: str, message: str) -> None:
    with pytest.raises(UnusableMediaStore, match=re.escape(message)):
        store_from_url(url)


def test_check_reports_the_media_store(s3: Any, s3_endpoint: str, sqlite_db: str, broker: str,
                                       tmp_path: Path) -> None:
    env = {"PRESSROOM_DATABASE_URL": sqlite_db, "PRESSROOM_BROKER_URL": broker,
           "PRESSROOM_MAIL_URL": f"maildir://{tmp_path / 'mail'}"}
    good_url = f"s3://{BUCKET}/{s3.prefix}?endpoint={s3_endpoint}&region=us-east-1&path_style=true"
    result = CliRunner().invoke(cli, ["check"], env={**env, "PRESSROOM_MEDIA_URL": good_url})
    assert result.exit_code == 0, result.output
    assert f"ok       media store: s3://{BUCKET}/{s3.prefix} at {s3_endpoint}: reachable" in result.stdout
    assert _keys(s3) == []  # the probe object is gone again
    for url, expected in [
        ("s3://bucket/p?endpoint=http://127.0.0.1:1",
         "PROBLEM  media store: media store s3://bucket/p at http://127.0.0.1:1 cannot be reached"),
        ("gopher://x", "PROBLEM  media store: PRESSROOM_MEDIA_URL: media URL 'gopher://x': use file:///path"),
        (f"file://{tmp_path / 'media'}", None),
    ]:
        result = CliRunner().invoke(cli, ["check"], env={**env, "PRESSROOM_MEDIA_URL": url})
        if expected is None:
            assert result.exit_code == 0 and f"media store: file://{tmp_path / 'media'}: writable" in result.stdout
        else:
            assert result.exit_code == 6 and expected in result.stderr, result.output


def test_large_objects_go_in_and_come_out_in_chunks(s3: Any) -> None:
    """What a media kit does: written from a file, read back a chunk at a time."""
    import io

    from media.errors import MediaMissing
    from media.storage import CHUNK, get_store, kit_key

    store = get_store()
    data = bytes(range(256)) * (3 * CHUNK // 256 + 17)  # a little over three chunks
    key = kit_key("ab" * 32)
    store.put_file(key, io.BytesIO(data), "application/zip")
    assert s3.head_object(Bucket=BUCKET, Key=f"{s3.prefix}/{key}")["ContentLength"] == len(data)
    chunks = list(store.stream(key))
    assert b"".join(chunks) == data and len(chunks) >= 2
    with pytest.raises(MediaMissing):
        store.stream(kit_key("cd" * 32))
