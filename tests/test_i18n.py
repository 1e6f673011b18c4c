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


def test_english_catalogue_is_complete_and_clean():
    import gettext

    from confiance.core.testing import PROJECT_ROOT

    with open(PROJECT_ROOT / "confiance/locale/en/LC_MESSAGES/django.mo", "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    translations = {key: value for key, value in catalogue.items() if key}
    assert len(translations) >= 150
    for source, english in translations.items():
        assert english, f"untranslated: {source}"
        half = len(english) // 2
        assert not (len(english) % 2 == 0 and english[:half] == english[half:]), f"doubled: {english}"
