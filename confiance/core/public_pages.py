"""Pages every anonymous visitor sees the same, answered from the server process's memory (ADR 0018).

A view that promises its response depends on nothing of the request but its method, scheme, host, path, query
string and language (no session, no user, no CSRF token, no cookie set) says so with `@public_page(seconds)`.
`core.asgi` then keeps the finished response (status, every header the middleware stack put on it, CSP and the
other security headers included, and the body) for that many seconds, keyed by exactly those inputs, and answers
the same request from the event loop: no thread, no middleware, no URL resolution, no database. Only a request
that could have been answered by the view in the same way uses it: GET or HEAD, no session cookie, no pending
message; anything else (an agent, a form, a visitor with a message) takes the usual path.

An entry is only ever made by a full pass through Django for the same key, so whatever the stack refuses or
redirects (a disallowed host, a NUL in the query, http in production) is never stored and never served. When an
entry is due, one request goes through Django again to refresh it while the others are still answered with the
old one; a refresh that is not storable any more (a 404, a cookie, a user) drops it. A change of the data is so
seen within `seconds` by every process, the bound a view chooses.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponseBase, parse_cookie
from django.utils import translation

MARK = "_confiance_public_page"  # on a response: (seconds, route name)
MAX_ENTRIES = 512
MAX_BODY = 4 * 1024 * 1024
MAX_BYTES = 64 * 1024 * 1024  # all the bodies kept by one process
ALLOWED_VARY = frozenset({"cookie", "accept-language"})
REFRESH_GRACE = 10.0  # seconds a refresh may take before another request tries its own


def public_page(seconds: float) -> Callable:
    """Mark a view's successful responses as the same for every anonymous visitor for `seconds` (see above)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                return response  # an agent's own page: never kept
            match = getattr(request, "resolver_match", None)
            route = (match.view_name or match.route or "unnamed") if match else "unmatched"
            setattr(response, MARK, (float(seconds), route))
            return response

        return wrapper

    return decorator


@dataclass
class Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    route: str
    expires: float
    refreshing_since: float | None = field(default=None)


Key = tuple[Any, ...]


class _LanguageRequest:
    """What `get_language_from_request` reads of a request: its cookies and its Accept-Language header."""

    def __init__(self, cookies: dict[str, str], accept_language: str, path: str) -> None:
        self.COOKIES = cookies
        self.META = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
        self.path_info = path


class PublicPages:
    """The per-process store of public pages, used by the ASGI handler on its event loop (one thread: no lock)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.entries: dict[Key, Entry] = {}
        self.bytes = 0
        self._languages: dict[tuple[str, str], str] = {}
        self.private_cookies = frozenset({settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name})

    def key(self, scope: dict[str, Any]) -> Key | None:
        """The key of a request that a public page may answer, None when it must go through Django."""
        method = scope.get("method")
        if method not in ("GET", "HEAD"):
            return None
        headers: dict[bytes, bytes] = {}
        for name, value in scope.get("headers", ()):
            name = name.lower()
            headers[name] = headers[name] + b"; " + value if name == b"cookie" and name in headers else value
        if headers.get(b"content-length", b"0") != b"0" or b"transfer-encoding" in headers \
                or b"authorization" in headers:
            return None  # a body to read, or credentials: Django's path
        cookies = parse_cookie(headers.get(b"cookie", b"").decode("latin-1")) if b"cookie" in headers else {}
        if self.private_cookies.intersection(cookies):
            return None
        language = self._language(cookies.get(settings.LANGUAGE_COOKIE_NAME, ""),
                                  headers.get(b"accept-language", b"").decode("latin-1"), scope["path"])
        return (method, scope.get("scheme"), headers.get(b"host"), headers.get(b"x-forwarded-host"),
                headers.get(b"x-forwarded-proto"), scope.get("root_path", ""), scope["path"],
                scope.get("query_string", b""), language)

    def _language(self, cookie: str, accept_language: str, path: str) -> str:
        """The language LocaleMiddleware will choose (no language in paths here), memoised on its inputs."""
        inputs = (cookie, accept_language)
        language = self._languages.get(inputs)
        if language is None:
            cookies = {settings.LANGUAGE_COOKIE_NAME: cookie} if cookie else {}
            language = translation.get_language_from_request(
                _LanguageRequest(cookies, accept_language, path))  # type: ignore[arg-type]
            if len(self._languages) >= MAX_ENTRIES:
                self._languages.clear()
            self._languages[inputs] = language
        return language

    def get(self, key: Key) -> Entry | None:
        """The entry to answer with, or None: then this request goes through Django (and refreshes the entry)."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        now = self.clock()
        if now < entry.expires:
            return entry
        if entry.refreshing_since is not None and now - entry.refreshing_since < REFRESH_GRACE:
            return entry  # another request is refreshing it: the old page meanwhile
        entry.refreshing_since = now
        return None

    def store(self, key: Key, response: HttpResponseBase) -> None:
        """Keep the response of a request that went through Django, if the view marked it and it is storable;
        otherwise forget any entry of that key."""
        entry = self._entry(response)
        previous = self.entries.pop(key, None)
        if previous is not None:
            self.bytes -= len(previous.body)
        if entry is None:
            return
        if len(self.entries) >= MAX_ENTRIES or self.bytes + len(entry.body) > MAX_BYTES:
            self.clear()  # rebuilt on demand, one request per page
        self.entries[key] = entry
        self.bytes += len(entry.body)

    def _entry(self, response: HttpResponseBase) -> Entry | None:
        mark = getattr(response, MARK, None)
        if mark is None or response.status_code != 200 or response.streaming or response.cookies:
            return None
        vary = {part.strip().lower() for part in response.headers.get("Vary", "").split(",") if part.strip()}
        if not vary <= ALLOWED_VARY:
            return None
        body = response.content  # type: ignore[attr-defined]
        if len(body) > MAX_BODY:
            return None
        seconds, route = mark
        headers = [(name.encode("ascii"), value.encode("latin-1")) for name, value in response.items()]
        return Entry(status=response.status_code, headers=headers, body=body, route=route,
                     expires=self.clock() + seconds)

    def clear(self) -> None:
        self.entries.clear()
        self.bytes = 0
