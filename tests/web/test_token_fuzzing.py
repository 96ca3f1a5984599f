"""Every endpoint that takes a token answers malformed input with a 4xx, never a 5xx: the
unsubscribe, one-click, confirm and preferences links, the access link of an embargoed release,
API bearer tokens and the session cookie. Hypothesis feeds arbitrary text, percent-encoded bytes
and near-miss tokens (a real token with one part changed) to the served app."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from core.db import session_scope
from subscribers import add_subscriber, create_list, tokens
from subscribers.models import Subscriber
from tests.web.conftest import Web

# Arbitrary text (any code point, control characters and separators included), raw bytes as
# percent-encodings, and tokens of the right shape with a wrong part.
TEXT = st.text(min_size=1, max_size=120)
BYTES = st.binary(min_size=1, max_size=60).map(lambda raw: quote(raw, safe=""))
SHAPED = st.lists(st.sampled_from(["1", "0", "01", "99999999999999999999", "-1", "é", "%00", "abc", "", "😀"]),
                  min_size=1, max_size=6).map(".".join)
TOKENS = st.one_of(TEXT.map(lambda text: quote(text, safe="")), BYTES, SHAPED.map(lambda t: quote(t, safe=".")))

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _refused_without_error(response: httpx.Response, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code, response.text[:300])


@FUZZ
@given(token=TOKENS)
def test_subscription_links_refuse_any_token_with_a_4xx(web: Web, token: str) -> None:
    with httpx.Client(base_url=web.url, timeout=10, follow_redirects=False) as client:
        for path in ("/subscriptions/unsubscribe/", "/subscriptions/confirm/", "/subscriptions/preferences/"):
            _refused_without_error(client.get(path + token), path)
        one_click = client.post("/subscriptions/unsubscribe/" + token, data={"List-Unsubscribe": "One-Click"})
        _refused_without_error(one_click, "one-click")
        _refused_without_error(client.get("/releases/1/nl", params={"access": token}), "access")


@FUZZ
@given(token=st.one_of(TEXT, SHAPED))
def test_bearer_tokens_and_session_cookies_refuse_anything_with_a_4xx(web: Web, token: str) -> None:
    header = "Bearer " + token.encode("utf-8", "surrogatepass").decode("latin-1", "replace")
    with httpx.Client(base_url=web.url, timeout=10, follow_redirects=False) as client:
        try:
            api = client.get("/api/me", headers={"Authorization": header})
        except (httpx.LocalProtocolError, UnicodeEncodeError):
            return  # not a header any client can send
        assert api.status_code == 401, api.text[:200]
        client.cookies.set("pressroom_session", quote(token, safe=""))
        _refused_without_error(client.get("/press"), "session cookie")


def test_near_miss_tokens_of_a_real_subscriber_are_refused(web: Web) -> None:
    """A genuine unsubscribe token with its list, its address prefix or its signature changed."""
    with session_scope() as s:
        create_list(s, "public", "Publiek", default_language="nl")
        add_subscriber(s, "lezer@example.org", "public", confirmed=True)
        person = s.exec(select(Subscriber)).one()
        good = tokens.unsubscribe_token(person.id or 0, 1, person.email_hash)
    subscriber, list_id, prefix, signature = good.split(".")
    near = [f"{subscriber}.2.{prefix}.{signature}", f"{subscriber}.{list_id}.{'0' * len(prefix)}.{signature}",
            f"{subscriber}.{list_id}.{prefix}.{signature[:-1]}é", f"0{subscriber}.{list_id}.{prefix}.{signature}"]
    with httpx.Client(base_url=web.url, timeout=10, follow_redirects=False) as client:
        for token in near:
            page = client.get("/subscriptions/unsubscribe/" + quote(token, safe="."))
            assert 400 <= page.status_code < 500, (token, page.status_code)
        assert client.get("/subscriptions/unsubscribe/" + good).status_code == 200
