"""The address search: accents and case ignored, words start words, ranked by how well the street matches."""

import pytest

from confiance.addresses.errors import AddressesError
from confiance.addresses.selectors import address_query_parse, address_search, street_labels_in
from confiance.addresses.services import addresses_import
from confiance.addresses.tests.factories import ban_file, ban_line
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def addresses(tmp_path):
    make_commune(insee_code="91386", name="Mennecy")
    make_commune(insee_code="91468", name="Ormoy", lon=2.45)
    lines = [
        ban_line("a1", 1, "Rue de l'Église", lat="48.5600"), ban_line("a2", 2, "Rue de l'Église", lat="48.5604"),
        ban_line("a3", 12, "Rue de l'Église", rep="bis", lat="48.5608"),
        ban_line("a4", 3, "Rue de l'Église", lat="48.5602"), ban_line("a5", 4, "Rue de l'Église", lat="48.5606"),
        ban_line("b1", 12, "Place de l'Église", lon="2.4400"),
        ban_line("c1", 12, "Rue des Églantiers", lon="2.4500"),
        ban_line("d1", 5, "Avenue du Général de Gaulle", insee="91468", city="Ormoy", lon="2.46"),
        ban_line("e1", 7, "Rue Saint-Jacques"),
        ban_line("f1", 3, "Rue de l'Église", insee="91468", city="Ormoy", lon="2.47"),
    ]
    addresses_import(actor=None, path=ban_file(tmp_path, *lines))


def _labels(text, **kwargs):
    return [hit.label for hit in address_search(text=text, **kwargs)]


def test_accents_and_case_are_ignored(addresses):
    assert _labels("RUE DE L EGLISE mennecy") == _labels("rue de l'église Mennecy") == [
        "Rue de l'Église, 91540 Mennecy"]


def test_a_number_gives_addresses_and_the_exact_street_comes_first(addresses):
    assert _labels("12 eglise") == ["12 bis Rue de l'Église, 91540 Mennecy", "12 Place de l'Église, 91540 Mennecy"]
    assert _labels("12 bis rue de l'eglise") == ["12 bis Rue de l'Église, 91540 Mennecy"]


def test_without_a_number_streets_are_proposed_once_per_commune(addresses):
    hits = address_search(text="rue de l eglise")
    assert [(hit.kind, hit.label) for hit in hits] == [
        ("street", "Rue de l'Église, 91540 Mennecy"), ("street", "Rue de l'Église, 91540 Ormoy")]
    assert hits[0].lat == pytest.approx(48.5604)  # the middle of the street's addresses


def test_the_phrase_ranks_before_scattered_words(addresses):
    # "egl" starts "Église" and "Églantiers": the shorter name of the street typed first.
    assert _labels("egl", limit=3) == ["Rue de l'Église, 91540 Mennecy", "Rue de l'Église, 91540 Ormoy",
                                       "Place de l'Église, 91540 Mennecy"]


def test_a_number_that_does_not_exist_falls_back_to_the_street(addresses):
    assert _labels("99 rue saint jacques") == ["Rue Saint-Jacques, 91540 Mennecy"]


def test_usual_abbreviations_are_read(addresses):
    assert _labels("5 av gal de gaulle") == []  # "gal" is no abbreviation we know, and starts no word
    assert _labels("5 av general de gaulle") == ["5 Avenue du Général de Gaulle, 91540 Ormoy"]
    assert _labels("r st jacques") == ["Rue Saint-Jacques, 91540 Mennecy"]


def test_words_must_start_words(addresses):
    assert _labels("glise") == []


def test_the_limit_is_bounded(addresses):
    assert len(address_search(text="rue", limit=1)) == 1
    assert len(address_search(text="rue", limit=10_000)) <= 20


@pytest.mark.parametrize("text", ["", "   ", "a", "12", "12 bis", "''"])
def test_nothing_to_search_is_refused_in_french(text):
    with pytest.raises(AddressesError, match="Recherche trop courte"):
        address_query_parse(text)


def test_a_too_long_search_is_refused():
    with pytest.raises(AddressesError, match="Recherche trop longue"):
        address_query_parse("rue " * 60)


def test_street_labels_follow_the_newest_import(addresses, tmp_path):
    labels = street_labels_in(bbox=(2.0, 48.0, 3.0, 49.0))
    assert {label["name"] for label in labels} >= {"Rue de l'Église", "Rue Saint-Jacques"}
    church = next(label for label in labels if label["name"] == "Rue de l'Église" and label["lon"] < 2.44)
    assert church["angle"] == pytest.approx(90, abs=1)  # numbered northwards
    addresses_import(actor=None, path=ban_file(tmp_path, ban_line("z1", 1, "Rue Neuve"), name="new.csv"))
    assert "Rue Neuve" in {label["name"] for label in street_labels_in(bbox=(2.0, 48.0, 3.0, 49.0))}
    assert street_labels_in(bbox=(0.0, 40.0, 0.1, 40.1)) == []
