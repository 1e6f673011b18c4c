"""Every page carries the Content-Security-Policy; no template holds an inline script, an event-handler attribute
or a style attribute; no script of ours writes HTML from a string; every CSV export goes through core.exports."""

import re

import pytest
from django.test import Client

from confiance.core.testing import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "confiance"
TEMPLATES = sorted(p for p in SOURCE.rglob("*.html") if "/tests/" not in str(p))
SCRIPTS = sorted(p for p in SOURCE.rglob("static/**/*.js") if "/vendor/" not in str(p))


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/signaler/", "/comptes/connexion/", "/api/v1/docs", "/admin/login/",
                                  "/page-qui-n-existe-pas/"])
def test_every_page_has_a_strict_policy(path):
    directives = policy(Client().get(path))
    assert directives["script-src"] == "script-src 'self'"
    assert directives["object-src"] == "object-src 'none'"
    assert directives["base-uri"] == "base-uri 'self'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["style-src"] == "style-src 'self'"
    header = " ".join(directives.values())
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_the_tile_server_is_allowed_for_images_only(settings):
    from config.settings import _tile_origin

    assert _tile_origin("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://*.tile.openstreetmap.org"
    assert _tile_origin("http://localhost:8080/tuiles/{z}/{x}/{y}.png") == "http://localhost:8080"
    assert _tile_origin("javascript:alert(1)") == "" and _tile_origin("") == ""


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_templates_hold_no_inline_script_handler_or_style(template):
    text = template.read_text()
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script: {tag}"
    assert not re.search(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", text), "event-handler attribute"
    assert not re.search(r"<[a-zA-Z][^>]*\sstyle\s*=", text), "style attribute (CSP style-src 'self')"
    assert "javascript:" not in text


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(SOURCE)))
def test_scripts_write_text_not_html(script):
    text = script.read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in text, f"{sink} in {script.name}"
    # Leaflet writes a string content as HTML: tooltips, popups and icons get elements.
    for call in re.findall(r"\.(?:bindTooltip|bindPopup|setTooltipContent|setPopupContent|setContent)\(([^)]*)", text):
        assert re.match(r"\s*(tip|el|text|document\.createTextNode)\b", call), f"Leaflet content from a string: {call}"
    for html in re.findall(r"\bhtml:\s*([^,}]*)", text):
        assert not html.strip().startswith(("'", '"', "`")) or html.strip() in ('"<span></span>"', "'<span></span>'"), \
            f"icon HTML from a string: {html}"


def test_every_csv_export_goes_through_core_exports():
    offenders = [str(path.relative_to(SOURCE)) for path in SOURCE.rglob("*.py")
                 if "/tests/" not in str(path) and path.name != "exports.py"
                 and re.search(r"csv\.(writer|DictWriter)\(", path.read_text())]
    assert offenders == []
