"""/favicon.ico, asked for by browsers on pages without an icon link (the admin's), leads to the SVG favicon."""

from django.test import Client


def test_favicon_ico_redirects_permanently_to_the_svg_favicon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/img/favicon.svg")
