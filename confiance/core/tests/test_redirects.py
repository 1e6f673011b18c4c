"""A `next` is followed only to a path of this site."""

import pytest
from django.test import RequestFactory

from confiance.core.redirects import safe_next


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
                                    "javascript:alert(1)", "http://testserver.evil/", "?a=1", "agents/", "",
                                    "https:/evil.example", "/\t/evil.example"])
def test_unsafe_targets_fall_back(target):
    request = RequestFactory().post("/x", {"next": target})
    assert safe_next(request, "/fallback/") == "/fallback/"


@pytest.mark.parametrize("target", ["/agents/", "/agents/main-courante/?jour=2026-01-02", "/a/b#c"])
def test_paths_of_this_site_are_followed(target):
    assert safe_next(RequestFactory().post("/x", {"next": target}), "/fallback/") == target
    assert safe_next(RequestFactory().get("/x", {"next": target}), "/fallback/") == target
