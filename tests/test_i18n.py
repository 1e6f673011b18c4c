"""French by default, English available."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_are_french_by_default():
    page = Client().get("/comptes/connexion/").content.decode()
    assert '<html lang="fr">' in page and "Connexion des agents" in page


def test_english_is_available_through_the_language_switch():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/comptes/connexion/"})
    page = client.get("/comptes/connexion/").content.decode()
    assert '<html lang="en">' in page
    assert "Staff sign-in" in page and "Username" in page and "Skip to content" in page


def test_accept_language_english_gets_english():
    page = Client(headers={"Accept-Language": "en"}).get("/").content.decode()
    assert "Staff area" in page
