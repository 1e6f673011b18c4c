import json

import pytest

from confiance.accounts.tests.factories import make_actor
from confiance.core.models import OutboxEvent
from confiance.privacy.models import AuditEntry
from confiance.territory.errors import TerritoryError
from confiance.territory.models import Commune, Intercommunality, Sector
from confiance.territory.services import territory_import
from confiance.territory.tests.factories import collection, feature, square_geojson

pytestmark = pytest.mark.django_db

BOWTIE = {"type": "Polygon", "coordinates": [[[2.0, 48.0], [2.1, 48.1], [2.1, 48.0], [2.0, 48.1], [2.0, 48.0]]]}


def two_communes():
    return collection(
        feature("91386", "Mennecy", square_geojson(2.40, 48.55)),
        feature("91468", "Ormoy", square_geojson(2.42, 48.55)),
    )


def test_imports_communes_with_grouping_audit_and_live_event():
    result = territory_import(actor=None, data=json.dumps(two_communes()), intercommunality_name="CC test")
    assert (result.created, result.updated) == (2, 0)
    mennecy = Commune.objects.get(insee_code="91386")
    assert mennecy.name == "Mennecy"
    assert mennecy.intercommunality == Intercommunality.objects.get(name="CC test")
    assert mennecy.h3_cell and 48.55 < mennecy.centroid_lat < 48.57
    assert AuditEntry.objects.filter(action="territory.import").count() == 1
    assert OutboxEvent.objects.filter(event_type="territory.imported").count() == 1


def test_reimport_updates_instead_of_duplicating():
    territory_import(actor=None, data=two_communes())
    renamed = two_communes()
    renamed["features"][0]["properties"]["nom"] = "Mennecy (nouveau nom)"
    result = territory_import(actor=None, data=renamed)
    assert (result.created, result.updated) == (0, 2)
    assert Commune.objects.get(insee_code="91386").name == "Mennecy (nouveau nom)"


def test_refuses_whole_file_and_names_every_faulty_feature():
    data = collection(
        feature("91386", "Mennecy", square_geojson(2.40, 48.55)),
        feature("91468", "", square_geojson(2.42, 48.55)),
        feature("9146", "Code court", square_geojson(2.44, 48.55)),
        feature("91204", "Noeud papillon", BOWTIE),
        feature("91386", "Doublon", square_geojson(2.46, 48.55)),
        {"type": "Feature", "geometry": square_geojson(2.5, 48.5)},
        feature("91045", "Point", {"type": "Point", "coordinates": [2.4, 48.5]}),
        {"type": "Feature", "properties": {"nom": "Sans code"}, "geometry": square_geojson(2.5, 48.5)},
    )
    with pytest.raises(TerritoryError) as caught:
        territory_import(actor=None, data=data)
    errors = caught.value.details["errors"]
    by_feature = {(e["feature"], e["code"]): e["message"] for e in errors}
    assert "nom" in by_feature[(1, "91468")]
    assert "INSEE" in by_feature[(2, "9146")]
    assert "Self-intersection" in by_feature[(3, "91204")]
    assert "double" in by_feature[(4, "91386")]
    assert "propriétés absentes" in by_feature[(5, "")]
    assert "Polygon" in by_feature[(6, "91045")]
    assert "propriété \"code\" manquante" in by_feature[(7, "?")]
    assert Commune.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("raw, reason", [
    (b"not json at all", "JSON"),
    (b'{"type": "Feature"}', "FeatureCollection"),
    (b'{"type": "FeatureCollection", "features": []}', "vide"),
    (b'{"type": "FeatureCollection"}', "features"),
])
def test_refuses_what_is_not_a_feature_collection(raw, reason):
    with pytest.raises(TerritoryError) as caught:
        territory_import(actor=None, data=raw)
    assert reason in caught.value.details["errors"][0]["message"]


def test_sectors_find_their_commune_by_property_or_by_location():
    territory_import(actor=None, data=two_communes())
    sectors = collection(
        feature("centre", "Centre", square_geojson(2.401, 48.551, 0.005), commune="91386"),
        feature("nord", "Nord", square_geojson(2.421, 48.561, 0.005)),
    )
    result = territory_import(actor=None, data=sectors, level="sectors")
    assert result.created == 2
    assert Sector.objects.get(code="nord").commune.insee_code == "91468"


def test_sector_outside_every_commune_is_refused():
    territory_import(actor=None, data=two_communes())
    with pytest.raises(TerritoryError) as caught:
        territory_import(actor=None, data=collection(feature("loin", "Loin", square_geojson(5.0, 45.0, 0.005))),
                         level="sectors")
    assert "aucune commune" in caught.value.details["errors"][0]["message"]
    assert Sector.objects.count() == 0


def test_only_platform_administrators_import_communes():
    actor = make_actor()
    with pytest.raises(TerritoryError) as caught:
        territory_import(actor=actor, data=two_communes())
    assert caught.value.status_code == 403
    assert Commune.objects.count() == 0
