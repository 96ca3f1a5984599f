"""A breadth-first crawler over the served app in a real Chromium, for `test_crawl.py`.

It follows every same-origin link and GET form it meets, checks every response the browser
receives (status below 500, the security headers of `response_problems`), runs axe-core on each
HTML page whose structure it has not seen yet, and records the POST forms so they can be
submitted afterwards (`submit_form`), one at a time against a fresh copy of the database.

Visits are capped per URL *pattern* (numbers and tokens replaced): a pattern is visited until
`STALE_AFTER` of its pages showed a structure already seen. A pattern is never skipped
altogether; what the cap left out is counted and printed.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import html5lib
from axe_playwright_python.sync_playwright import Axe

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
STALE_AFTER = 4
SAMPLE_CSV = b"email,name,language\ncrawl-import@example.org,Crawl Import,nl\n"
_AXE = Axe()

# Everything a page offers to follow or submit, and its structure: the set of
# parent>tag.classes#id[attribute names] of its elements (numbers in ids and classes replaced),
# which is what axe's rules look at; text and row counts do not change it.
COLLECT = """() => {
  const norm = (s) => (s || "").replace(/[0-9]+/g, "n");
  const shape = new Set();
  for (const el of document.querySelectorAll("*")) {
    const attrs = Array.from(el.attributes).map((a) => a.name).sort().join(",");
    shape.add(`${el.parentElement ? el.parentElement.tagName : ""}>${el.tagName}.${norm(el.getAttribute("class"))}` +
              `#${norm(el.id)}[${attrs}]`);
  }
  const links = Array.from(document.querySelectorAll("a[href], link[rel=alternate][href]"), (a) => a.href)
    .concat(Array.from(document.querySelectorAll("iframe[src]"), (f) => f.src));
  const forms = Array.from(document.forms, (form, index) => {
    const method = (form.getAttribute("method") || "get").toLowerCase();
    const fields = Array.from(form.elements, (e) => e.name).filter(Boolean).sort();
    const buttons = Array.from(form.querySelectorAll("button, input[type=submit], input[type=image]"))
      .filter((b) => (b.type || "submit") === "submit" && b.getClientRects().length > 0);
    let query = null;
    if (method === "get") {
      const params = new URLSearchParams();
      for (const [k, v] of new FormData(form)) { if (typeof v === "string") { params.append(k, v); } }
      const url = new URL(form.action); url.search = params.toString(); query = url.href;
    }
    const targets = buttons.length
      ? buttons.map((b, i) => ({button: i, action: b.hasAttribute("formaction") ? b.formAction : form.action}))
      : [{button: -1, action: form.action}];
    return {index, method, fields, query, targets};
  });
  return {shape: Array.from(shape).sort().join("|"), links, forms,
          html: (document.contentType || "").includes("html")};
}"""

# Fills what a form requires and the browser would refuse empty; the rest keeps its defaults.
# The browser's own checks are then switched off: a pattern or length the samples miss is the
# server's to refuse (with a 4xx), not a reason for the form to go unsent.
FILL_REQUIRED = """(index) => {
  const form = document.forms[index];
  form.noValidate = true;
  const sample = {email: "crawl@example.org", url: "https://example.org/", number: "1", tel: "+3225000000",
                  "datetime-local": "2031-01-01T10:00", date: "2031-01-01", password: "crawl-password"};
  for (const el of form.elements) {
    if (!el.required || el.type === "file") { continue; }
    if (el.type === "checkbox" || el.type === "radio") { el.checked = true; continue; }
    if (el.value) { continue; }
    if (el.tagName === "SELECT") {
      const option = Array.from(el.options).find((o) => o.value);
      if (option) { el.value = option.value; }
      continue;
    }
    el.value = sample[el.type] || "crawl";
  }
}"""

OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) { return null; }
  const wide = Array.from(document.querySelectorAll("body *"))
    .filter((e) => e.getBoundingClientRect().right > width + 1)
    .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + e.className : ""}`);
  return `scrollWidth ${document.documentElement.scrollWidth} > ${width}: ${wide.slice(0, 4).join(", ")}`;
}"""


@dataclass(frozen=True)
class Problem:
    """One thing wrong: what, on which URL, reached from which page."""

    kind: str
    url: str
    source: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.url} (from {self.source}): {self.detail}"


@dataclass
class FormSeen:
    """A POST form (one of its submit buttons) and the first page it was found on."""

    page: str
    index: int
    button: int
    action: str


@dataclass
class Tally:
    """What one role's crawl did, for the printed summary."""

    pages: int = 0
    forms: int = 0
    axe_runs: int = 0
    markup_checks: int = 0
    capped: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def markup_problems(source: str) -> list[str]:
    """What is wrong with a page's HTML as written (not as the browser repaired it): every parse
    error the HTML standard's parsing algorithm reports (html5lib's), and ids used twice."""
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    tree = parser.parse(source)
    problems = [f"line {line}, column {column}: {code} {values or ''}".rstrip()
                for (line, column), code, values in parser.errors]
    ids = Counter(element.get("id") for element in tree.iter() if element.get("id"))
    problems += [f"id {name!r} is used {count} times" for name, count in ids.items() if count > 1]
    return problems


def pattern(url: str) -> str:
    """The URL with numbers and tokens replaced and query values dropped: what the cap counts."""
    parts = urlsplit(url)
    segments = []
    for segment in parts.path.split("/"):
        if segment.isdigit():
            segments.append("{n}")
        elif len(segment) >= 24:
            segments.append("{token}")
        else:
            segments.append(segment)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return "/".join(segments) + ("?" + "&".join(keys) if keys else "")


def _alike(one: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """The same form: same scope and fields, actions that differ at most in one path segment
    (a list's slug: /press/lists/journalists/import and /press/lists/diplomats/import)."""
    if one == other:
        return True
    if one[0] != other[0] or one[2] != other[2]:
        return False
    a, b = one[1].split("/"), other[1].split("/")
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1 and a[-1] == b[-1]


def _directives(policy: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found.setdefault(words[0].lower(), [w.lower() for w in words[1:]])
    return found


def response_problems(headers: list[dict[str, str]], https: bool = False) -> list[str]:
    """What is wrong with one response's security headers.

    Every response: nosniff, a Referrer-Policy, a Content-Security-Policy that allows no inline
    script, and inline styles only where the policy lets no script run at all (the sandboxed
    mail previews, whose HTML is mail and styled inline); cookies HttpOnly and SameSite (and
    Secure, and HSTS sent, when the site is https).
    """
    problems = []
    values: dict[str, str] = {}
    cookies = []
    for header in headers:
        name = header["name"].lower()
        if name == "set-cookie":
            cookies.append(header["value"])
        else:
            values[name] = header["value"]
    if values.get("x-content-type-options", "").lower() != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    if not values.get("referrer-policy"):
        problems.append("no Referrer-Policy")
    policy = values.get("content-security-policy")
    if not policy:
        problems.append("no Content-Security-Policy")
    else:
        rules = _directives(policy)
        default = rules.get("default-src", [])
        scripts = rules.get("script-src", default)
        styles = rules.get("style-src", default)
        if not scripts or "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts:
            problems.append(f"scripts not locked down: {policy}")
        if "'unsafe-inline'" in styles and not ("script-src" not in rules and default == ["'none'"]):
            problems.append(f"inline styles allowed where scripts may run: {policy}")
    for cookie in cookies:
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        name = cookie.split("=")[0]
        if "httponly" not in attributes or "samesite" not in attributes:
            problems.append(f"cookie {name} lacks HttpOnly or SameSite: {cookie.split(';', 1)[1:]}")
        if https and "secure" not in attributes:
            problems.append(f"cookie {name} lacks Secure on an https site")
    if https and "strict-transport-security" not in values:
        problems.append("no Strict-Transport-Security on an https site")
    return problems


class Crawler:
    """One role's crawl: a browser context (signed in or not) and what it found.

    `problems` and `shapes` may be shared between crawlers, so a structure axe checked for one
    role is not checked again for another; the visit cap counts the structures this role met.
    """

    def __init__(self, context: Any, base: str, role: str, problems: list[Problem], shapes: set[str]) -> None:
        self.context = context
        self.base = base.rstrip("/")
        self.role = role
        self.problems = problems
        self.shapes = shapes
        self.tally = Tally()
        self.forms: dict[tuple[str, ...], FormSeen] = {}
        self.html_pages: list[str] = []  # one URL per structure met, for the narrow-screen pass
        self.visited: set[str] = set()
        self._own_shapes: set[str] = set()
        self._stale: Counter[str] = Counter()
        self._responses: list[tuple[Any, list[dict[str, str]], str]] = []
        self.page = self.watch(context.new_page())

    # --- watching what the browser receives ---------------------------------------------------

    def watch(self, page: Any) -> Any:
        """Record every response, failed script and refused policy of `page`."""
        # Headers are read as the response arrives: a frame navigated again (the editor's live
        # preview) would no longer answer for its earlier responses.
        page.on("response", lambda response: self._responses.append((response, response.headers_array(), page.url)))
        page.on("pageerror", lambda error: self._problem("script error", page.url, page.url, str(error)))
        page.on("console", lambda message: self._console(page, message))
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    def _console(self, page: Any, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self._problem("csp refused", page.url, page.url, message.text)

    def _problem(self, kind: str, url: str, source: str, detail: str) -> None:
        self.problems.append(Problem(f"{self.role}: {kind}", url, source, detail))

    def same_origin(self, url: str) -> bool:
        return url.startswith(self.base + "/") or url == self.base

    def check_responses(self) -> None:
        """Status and headers of every response received since the last call."""
        pending, self._responses = self._responses, []
        for response, headers, shown in pending:
            if not self.same_origin(response.url):
                continue
            source = response.request.headers.get("referer") or shown
            if response.status >= 500:
                self._problem(f"HTTP {response.status}", response.url, source, response.status_text)
            for problem in response_problems(headers):
                self._problem("header", response.url, source, problem)

    # --- pages ----------------------------------------------------------------------------------

    def sign_in(self, email: str, password: str) -> None:
        """Through the real sign-in page, as a person would."""
        self.page.goto(f"{self.base}/press/sign-in")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{self.base}/press")
        self.check_responses()

    def crawl(self, starts: list[str]) -> None:
        """Breadth-first from `starts` over links and GET forms; records POST forms."""
        started = time.monotonic()
        queue: deque[tuple[str, str]] = deque((url, "(start)") for url in starts)
        while queue:
            url, source = queue.popleft()
            url = urlunsplit(urlsplit(url)._replace(fragment=""))
            if url in self.visited or not self.same_origin(url):
                continue
            key = pattern(url)
            if self._stale[key] >= STALE_AFTER:
                self.tally.capped[key] += 1
                continue
            self.visited.add(url)
            found = self.visit(url, source)
            if found is None:
                continue
            if not found["new"]:
                self._stale[key] += 1
            for link in found["links"]:
                queue.append((link, url))
            for form in found["forms"]:
                if form["method"] == "get":
                    queue.append((form["query"], url))
                else:
                    self._record_form(self.page.url, form)  # where it landed: a redirect is followed
        self.tally.seconds += time.monotonic() - started

    def visit(self, url: str, source: str) -> dict[str, Any] | None:
        """Open `url`; check it; return what it offers (None when it is not an HTML page)."""
        self.tally.pages += 1
        try:
            response = self.page.goto(url, wait_until="load")
        except Exception as error:  # noqa: BLE001 - a download or a crash is reported, not raised
            if "Download is starting" not in str(error):
                self._problem("navigation", url, source, str(error).splitlines()[0])
            else:
                self._fetch(url, source)
            self.check_responses()
            return None
        self.check_responses()
        found = self.inspect(url, source)
        if found is not None and found["new"] and response is not None and response.ok:
            self.tally.markup_checks += 1
            for problem in markup_problems(response.text()):
                self._problem("markup", url, source, problem)
        return found

    def _fetch(self, url: str, source: str) -> None:
        """A URL the browser downloads instead of showing (text, eml): its status and headers."""
        response = self.context.request.get(url, max_redirects=0)
        if response.status >= 500:
            self._problem(f"HTTP {response.status}", url, source, response.status_text)
        for problem in response_problems(response.headers_array):
            self._problem("header", url, source, problem)

    def inspect(self, url: str, source: str, page: Any = None) -> dict[str, Any] | None:
        """Links, forms and structure of the page shown; axe-core when the structure is new."""
        page = page or self.page
        found: dict[str, Any] = page.evaluate(COLLECT)
        if not found["html"]:
            return None
        key = found.pop("shape")
        found["new"] = key not in self._own_shapes
        if found["new"]:
            self._own_shapes.add(key)
            self.html_pages.append(page.url)
        if key not in self.shapes:
            self.shapes.add(key)
            self.axe(page, source)
        return found

    def axe(self, page: Any, source: str, tags: list[str] | None = None, rules: list[str] | None = None) -> None:
        """axe-core on the page shown; each violation becomes a problem naming its rule and nodes."""
        self.tally.axe_runs += 1
        only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": tags or WCAG_AA}
        results = _AXE.run(page, options={"runOnly": only, "resultTypes": ["violations"], "iframes": False})
        for violation in results.response["violations"]:
            nodes = "; ".join(f"{', '.join(map(str, n['target']))}: {n['html'][:120]}"
                              for n in violation["nodes"][:3])
            self._problem(f"axe {violation['id']}", page.url, source,
                          f"{violation['help']} ({len(violation['nodes'])} nodes) {nodes}")

    def _record_form(self, url: str, form: dict[str, Any]) -> None:
        for target in form["targets"]:
            action = target["action"]
            # Public forms do the same for everyone: one role submitting them is enough.
            scope = self.role if urlsplit(action).path.startswith("/press") else "anyone"
            key = (scope, pattern(action), ",".join(form["fields"]))
            if not any(_alike(key, known) for known in self.forms):
                self.forms[key] = FormSeen(url, form["index"], target["button"], action)

    # --- forms ----------------------------------------------------------------------------------

    def submit_form(self, form: FormSeen, context: Any, reset: Callable[[], None]) -> None:
        """Submit one POST form with its defaults (and what it requires filled in) in `context`,
        a throwaway copy of this crawler's session, after `reset` restored the database."""
        started = time.monotonic()
        reset()
        page = self.watch(context.new_page())
        try:
            self.tally.forms += 1
            page.goto(form.page, wait_until="load")
            if page.url != form.page:  # signed out, say: the form is not there to send
                raise RuntimeError(f"its page was not shown (landed on {page.url})")
            page.evaluate(FILL_REQUIRED, form.index)
            locator = page.locator("form").nth(form.index)
            files = locator.locator("input[type=file]")
            for i in range(files.count()):
                files.nth(i).set_input_files({"name": "crawl.csv", "mimeType": "text/csv", "buffer": SAMPLE_CSV})
            path = urlsplit(form.action).path

            def posted(response: Any) -> bool:
                return response.request.method == "POST" and urlsplit(response.url).path == path

            with page.expect_response(posted, timeout=15_000):
                if form.button >= 0:
                    buttons = locator.locator("button, input[type=submit], input[type=image]")
                    visible = [b for b in buttons.all() if b.is_visible() and
                               (b.get_attribute("type") or "submit") == "submit"]
                    visible[form.button].click()
                else:
                    page.evaluate("(i) => setTimeout(() => document.forms[i].requestSubmit(), 0)", form.index)
            page.wait_for_load_state("load")
            self.check_responses()
            if page.url != form.page and self.same_origin(page.url):
                self.inspect(page.url, f"POST {form.action}", page)
        except Exception as error:  # noqa: BLE001 - a form that cannot be sent is reported
            self.check_responses()
            self._problem("form", form.action, form.page, f"not submitted: {str(error).splitlines()[0]}")
        finally:
            page.close()
            self.tally.seconds += time.monotonic() - started

    # --- a narrow screen --------------------------------------------------------------------------

    def narrow(self, urls: list[str], context: Any) -> None:
        """Each URL at the width of `context` (a phone): no sideways scrolling, and targets of 24 px
        or spaced as WCAG 2.2 (axe `target-size`)."""
        page = self.watch(context.new_page())
        for url in urls:
            started = time.monotonic()
            self.tally.pages += 1
            page.goto(url, wait_until="load")
            self.check_responses()
            overflow = page.evaluate(OVERFLOW)
            if overflow:
                self._problem("overflow at 390px", url, "(narrow pass)", overflow)
            self.axe(page, "(narrow pass)", rules=["target-size"])
            self.tally.seconds += time.monotonic() - started
        page.close()


__all__ = ["Crawler", "FormSeen", "Problem", "Tally", "pattern", "response_problems"]
