"""Public pages answered from memory (core.public_pages, ADR 0018): which requests may be, which responses are kept,
for how long, and what a refresh does."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.core.public_pages import MARK, PublicPages, public_page


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def scope(method="GET", path="/videoprotection/91386/", query=b"", **headers) -> dict:
    pairs = [(b"host", b"testserver")]
    pairs += [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return {"type": "http", "method": method, "scheme": "http", "path": path, "root_path": "", "query_string": query,
            "headers": pairs}


def marked(body=b"page", seconds=2.0, **headers) -> HttpResponse:
    response = HttpResponse(body)
    response["Content-Security-Policy"] = "default-src 'self'"
    response["X-Frame-Options"] = "DENY"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    setattr(response, MARK, (seconds, "devices:public-cameras"))
    return response


@pytest.fixture
def pages():
    return PublicPages(clock=Clock())


def test_only_anonymous_reads_without_body_or_credentials_have_a_key(pages):
    assert pages.key(scope()) is not None and pages.key(scope("HEAD")) is not None
    assert pages.key(scope("POST")) is None
    assert pages.key(scope(cookie="sessionid=abc")) is None
    assert pages.key(scope(cookie="csrftoken=x; messages=abc")) is None
    assert pages.key(scope(authorization="Bearer x")) is None
    assert pages.key(scope(content_length="12")) is None and pages.key(scope(transfer_encoding="chunked")) is None
    assert pages.key(scope(cookie="csrftoken=abc")) == pages.key(scope())  # a CSRF cookie changes nothing


def test_the_key_holds_everything_the_page_may_depend_on(pages):
    base = pages.key(scope())
    assert pages.key(scope(accept_language="en-GB,en;q=0.8")) != base
    assert pages.key(scope(cookie="django_language=en")) == pages.key(scope(accept_language="en"))
    assert pages.key(scope(accept_language="de")) == base  # not a language of the platform: French, as Django
    assert pages.key(scope(query=b"a=1")) != base and pages.key(scope(path="/x/")) != base
    assert pages.key(scope(host="evil.example")) != base and pages.key(scope(x_forwarded_proto="https")) != base


def test_a_marked_page_is_kept_with_its_headers_then_refreshed_by_one_request(pages):
    key = pages.key(scope())
    pages.store(key, marked())
    entry = pages.get(key)
    assert entry.body == b"page" and entry.status == 200 and entry.route == "devices:public-cameras"
    assert (b"Content-Security-Policy", b"default-src 'self'") in entry.headers
    assert (b"X-Frame-Options", b"DENY") in entry.headers
    pages.clock.now += 2.5
    assert pages.get(key) is None  # due: this request goes through Django
    assert pages.get(key) is entry  # the others meanwhile: the old page
    pages.store(key, marked(b"new"))
    assert pages.get(key).body == b"new"


def test_a_refresh_that_cannot_be_kept_forgets_the_page(pages):
    key = pages.key(scope())
    pages.store(key, marked())
    pages.clock.now += 3
    assert pages.get(key) is None
    gone = marked(status=404)
    gone.status_code = 404
    pages.store(key, gone)
    assert pages.get(key) is None and key not in pages.entries


@pytest.mark.parametrize("response", [
    HttpResponse(b"not marked"),
    marked(Vary="User-Agent"),
])
def test_unmarked_or_varying_responses_are_not_kept(pages, response):
    key = pages.key(scope())
    pages.store(key, response)
    assert pages.get(key) is None


def test_a_response_setting_a_cookie_is_not_kept(pages):
    response = marked(Vary="Cookie, Accept-Language")
    response.set_cookie("csrftoken", "secret-of-one-visitor")
    key = pages.key(scope())
    pages.store(key, response)
    assert pages.get(key) is None


@pytest.mark.django_db
def test_the_decorator_marks_anonymous_pages_only(django_user_model):
    from django.contrib.auth.models import AnonymousUser

    view = public_page(5)(lambda request: HttpResponse(b"x"))
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert getattr(view(request), MARK) == (5.0, "unmatched")
    request.user = django_user_model(username="agent")
    assert not hasattr(view(request), MARK)


def test_the_store_is_bounded_in_entries_and_bytes(pages, monkeypatch):
    from confiance.core import public_pages

    monkeypatch.setattr(public_pages, "MAX_BYTES", 10)
    first, second = pages.key(scope(path="/a/")), pages.key(scope(path="/b/"))
    pages.store(first, marked(b"123456"))
    pages.store(first, marked(b"654321"))  # the same page again: counted once
    assert pages.bytes == 6 and pages.get(first).body == b"654321"
    pages.store(second, marked(b"abcdef"))  # past the bound: the store starts again
    assert pages.bytes == 6 and pages.get(first) is None and pages.get(second).body == b"abcdef"
    monkeypatch.setattr(public_pages, "MAX_ENTRIES", 1)
    pages.store(first, marked(b"x"))
    assert list(pages.entries) == [first] and pages.bytes == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cookie=st.binary(max_size=200), accept_language=st.binary(max_size=200), path=st.text(max_size=40))
def test_any_header_gives_a_key_or_none_never_an_error(pages, cookie, accept_language, path):
    request = scope(path="/" + path)
    request["headers"] += [(b"cookie", cookie), (b"accept-language", accept_language)]
    key = pages.key(request)
    assert key is None or key[-1] in {"fr", "en"}
