"""Importing the registry: CSV and GeoJSON, every fault named by its line, idempotent on the identifier; tokens."""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command

from confiance.accounts.tests.factories import make_actor
from confiance.core.errors import ApplicationError
from confiance.devices.models import Device, DeviceQuantity, Gateway, RegistryRevision
from confiance.devices.registry import current_registry
from confiance.devices.services.registry import devices_import, token_issue
from confiance.privacy.models import AuditEntry
from confiance.territory.tests.factories import make_sector

pytestmark = pytest.mark.django_db

HEADER = ("type,identifier,name,commune,kind,quantities,lat,lon,reporting_interval_s,gateway,firmware_version,"
          "expected_firmware_version,owner,mqtt_client_id,default_credentials\n")
GOOD_CSV = HEADER + (
    "gateway,gw-centre,Passerelle centre,91386,,,,,,,2.1,2.1,Ville de Mennecy,,0\n"
    "device,essonne-pont,Essonne au pont,91386,water_level,water_level:m;battery:%,48.555,2.405,60,gw-centre,"
    "1.2.0,1.4.0,Ville de Mennecy,mqtt-pont,0\n"
    "device,bruit-place,Bruit place,91386,noise,noise_laeq,48.565,2.415,300,,1.0,,,,1\n"
)


def _import(data, **kwargs):
    return devices_import(actor=kwargs.pop("actor", None), data=data, **kwargs)


def _errors(data, **kwargs) -> list[dict]:
    with pytest.raises(ApplicationError) as caught:
        _import(data, **kwargs)
    assert caught.value.code == "devices_import_invalid"
    return caught.value.details["errors"]


def test_a_csv_file_creates_gateways_and_devices_with_their_quantities_and_sector(world):
    sector = make_sector(commune=world.commune, code="S1", lon=2.40, lat=48.55)
    result = _import(GOOD_CSV)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    gateway = Gateway.objects.get(identifier="gw-centre")
    device = Device.objects.get(identifier="essonne-pont")
    assert (device.commune, device.gateway, device.kind, device.reporting_interval_s) == (
        world.commune, gateway, "water_level", 60)
    assert (device.firmware_version, device.expected_firmware_version, device.mqtt_client_id) == (
        "1.2.0", "1.4.0", "mqtt-pont")
    assert device.sector == sector  # found from the location
    assert Device.objects.get(identifier="bruit-place").sector is None  # outside the sector
    assert Device.objects.get(identifier="bruit-place").default_credentials is True
    assert dict(device.quantities.values_list("quantity", "unit")) == {"water_level": "m", "battery": "%"}
    assert "essonne-pont" in current_registry().devices  # the ingestion registry sees it at once
    assert AuditEntry.objects.filter(action="devices.import", commune_id=world.commune.pk).count() == 1


def test_importing_the_same_file_twice_changes_nothing(world):
    _import(GOOD_CSV)
    revisions, audits = RegistryRevision.objects.count(), AuditEntry.objects.count()
    result = _import(GOOD_CSV)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert Device.objects.filter(identifier="essonne-pont").count() == 1
    assert DeviceQuantity.objects.filter(device__identifier="essonne-pont").count() == 2
    assert RegistryRevision.objects.count() == revisions and AuditEntry.objects.count() == audits


def test_a_changed_row_updates_the_device_and_its_quantities(world):
    _import(GOOD_CSV)
    changed = GOOD_CSV.replace("water_level:m;battery:%,48.555,2.405,60", "water_level;flow:m³/s,48.556,2.405,120")
    result = _import(changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    device = Device.objects.get(identifier="essonne-pont")
    assert (device.lat, device.reporting_interval_s) == (48.556, 120)
    assert set(device.quantities.values_list("quantity", flat=True)) == {"water_level", "flow"}
    assert current_registry().devices["essonne-pont"].quantities == frozenset({"water_level", "flow"})


def test_every_fault_is_named_by_its_line_and_nothing_is_imported(world):
    bad = HEADER + (
        "device,ok-one,Bon,91386,rain,rainfall:mm,48.555,2.405,60,,,,,,\n"
        "device,bad unit,X,91386,water_level,water_level:cm,48.555,2.405,60,,,,,,\n"
        "device,far-away,Loin,91386,noise,noise_laeq,48.700,2.405,60,,,,,,\n"
        "device,no-qty,Rien,91386,noise,,48.555,2.405,abc,,,,,,\n"
        "device,unk-kind,X,91386,volcano,pm10:kg,48.555,2.405,60,,,,,,\n"
        "device,ok-one,Encore,99999,rain,rainfall,48.555,2.405,60,,,,,,peut-être\n"
        "device,ok-two,Sans passerelle,91386,rain,rainfall,48.555,2.405,60,gw-nowhere,,,,,\n"
    )
    errors = _errors(bad)
    by_line: dict[str, list[str]] = {}
    for error in errors:
        by_line.setdefault(error["where"], []).append(error["message"])
    assert "ligne 2" not in by_line
    assert any("identifiant invalide" in m for m in by_line["ligne 3"])
    assert any("unité « cm » refusée pour water_level" in m and "« m »" in m for m in by_line["ligne 3"])
    assert any("n'est pas dans la commune 91386 (Mennecy)" in m for m in by_line["ligne 4"])
    assert any("intervalle d'émission invalide" in m for m in by_line["ligne 5"])
    assert any("aucune grandeur" in m for m in by_line["ligne 5"])
    assert any("type de capteur « volcano » inconnu" in m for m in by_line["ligne 6"])
    assert any("unité « kg » refusée pour pm10" in m for m in by_line["ligne 6"])
    assert any("passerelle « gw-nowhere » inconnue" in m for m in by_line["ligne 8"])
    assert any("default_credentials : 1 ou 0 attendu" in m for m in by_line["ligne 7"])
    assert not Device.objects.filter(identifier="ok-one").exists()


def test_repeated_identifiers_and_unknown_communes_are_refused(world):
    data = HEADER + ("device,twice,A,91386,rain,rainfall,48.555,2.405,60,,,,,,\n"
                     "device,twice,B,91386,rain,rainfall,48.556,2.405,60,,,,,,\n"
                     "device,elsewhere,C,99999,rain,rainfall,48.556,2.405,60,,,,,,\n")
    errors = _errors(data)
    assert {(e["where"], e["identifier"]) for e in errors} == {("ligne 3", "twice"), ("ligne 4", "elsewhere")}
    assert "déjà en ligne 2" in errors[0]["message"]
    assert "commune 99999 inconnue" in errors[1]["message"]


def test_a_device_cannot_move_to_another_commune_by_import(world):
    data = HEADER + "device,essonne-mennecy,X,91468,water_level,water_level,48.58,2.44,60,,,,,,\n"
    errors = _errors(data)
    assert "autre commune" in errors[0]["message"]
    assert Device.objects.get(identifier="essonne-mennecy").commune == world.commune


def test_a_gateway_of_another_commune_is_refused(world):
    data = HEADER + "device,ormoy-x,X,91468,water_level,water_level,48.58,2.44,60,gw-mennecy,,,,,\n"
    assert "d'une autre commune" in _errors(data)[0]["message"]


def test_the_commune_option_applies_to_every_row_and_must_agree(world):
    data = ("identifier;name;kind;quantities;lat;lon\n"
            "pluie-1;Pluviomètre;rain;rainfall:mm;48,555;2,405\n")
    assert _import(data, commune_insee="91386").created == 1
    assert Device.objects.get(identifier="pluie-1").commune == world.commune
    assert "différente de celle de l'import" in _errors(
        HEADER + "device,p2,X,91468,rain,rainfall,48.58,2.44,60,,,,,,\n", commune_insee="91386")[0]["message"]


def test_a_geojson_file_is_read_with_its_point_geometries(world):
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.41, 48.56]},
         "properties": {"identifier": "air-ecole", "name": "Air école", "commune": "91386", "kind": "air_quality",
                        "quantities": [{"quantity": "pm10", "unit": "µg/m³"}, "no2"], "reporting_interval_s": 600}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[2.41, 48.56], [2.42, 48.56]]},
         "properties": {"identifier": "bad-geometry", "commune": "91386", "kind": "rain", "quantities": "rainfall"}},
    ]}
    errors = _errors(json.dumps(collection))
    assert [(e["where"], e["identifier"], e["message"]) for e in errors] == [
        ("entité n° 2", "bad-geometry", "la géométrie doit être un point (Point)"),
        ("entité n° 2", "bad-geometry", "position manquante ou invalide (lat, lon en WGS84)")]
    collection["features"].pop()
    assert _import(json.dumps(collection)).created == 1
    device = Device.objects.get(identifier="air-ecole")
    assert (device.lat, device.lon, device.reporting_interval_s) == (48.56, 2.41, 600)
    assert set(device.quantities.values_list("quantity", flat=True)) == {"pm10", "no2"}


@pytest.mark.parametrize(("data", "message"), [
    (b"", "vide"),
    (b"\xff\xfe\x00", "UTF-8"),
    (b'{"type": "Feature"}', "FeatureCollection"),
    (b"{oops", "JSON lisible"),
    (b"name,kind\nx,rain\n", "colonne « identifier »"),
    (b"identifier\n\n", "aucune ligne"),
])
def test_unreadable_files_get_a_clear_error(world, data, message):
    errors = _errors(data)
    assert errors[0]["where"] == "fichier" and message in errors[0]["message"]


def test_an_agent_without_the_manage_permission_imports_nothing(world):
    operator = make_actor(communes=[world.commune], role="csu_operator", password=None)
    with pytest.raises(ApplicationError) as caught:
        _import(GOOD_CSV, actor=operator)
    assert caught.value.status_code == 403
    chief = make_actor(communes=[world.commune], role="shift_supervisor", password=None)
    assert _import(GOOD_CSV, actor=chief).created == 3
    assert not Device.objects.filter(identifier="bruit-place", commune=world.other).exists()


def test_a_chief_of_one_commune_cannot_import_into_another(world):
    chief = make_actor(communes=[world.commune], role="shift_supervisor", password=None)
    data = HEADER + "device,ormoy-new,X,91468,water_level,water_level,48.58,2.44,60,,,,,,\n"
    with pytest.raises(ApplicationError) as caught:
        _import(data, actor=chief)
    assert caught.value.status_code == 404
    assert not Device.objects.filter(identifier="ormoy-new").exists()


def test_a_token_is_shown_once_and_only_its_hash_is_kept(world):
    issued = token_issue(actor=None, identifier="gw-mennecy")
    prefix, secret = issued.token.split(".", 1)
    gateway = Gateway.objects.get(identifier="gw-mennecy")
    assert (gateway.token_prefix, gateway.token_hash) == (prefix, hashlib.sha256(secret.encode()).hexdigest())
    assert secret not in json.dumps(list(AuditEntry.objects.values("extra")))
    entry = current_registry().gateways_by_prefix[prefix]  # the ingestion registry knows the new token at once
    assert entry.token_hash == gateway.token_hash
    again = token_issue(actor=None, identifier="gw-mennecy")
    assert again.prefix != prefix and prefix not in current_registry().gateways_by_prefix


def test_a_device_gets_its_own_token(world):
    issued = token_issue(actor=None, identifier="air-mennecy")
    assert issued.kind == "device"
    assert current_registry().devices_by_token_prefix[issued.prefix][0].identifier == "air-mennecy"


def test_a_token_for_another_communes_gateway_is_refused_to_a_chief(world):
    chief = make_actor(communes=[world.other], role="shift_supervisor", password=None)
    with pytest.raises(ApplicationError) as caught:
        token_issue(actor=chief, identifier="gw-mennecy")
    assert caught.value.status_code == 404
    assert Gateway.objects.get(identifier="gw-mennecy").token_prefix == world.gateway.token_prefix


def test_commands_import_and_issue_tokens(world, tmp_path, capsys):
    path = tmp_path / "registre.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    call_command("devices_import", str(path))
    assert "3 créé(s)" in capsys.readouterr().out
    path.write_text(HEADER + "device,x y,X,91386,rain,rainfall:cm,48.555,2.405,60,,,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("devices_import", str(path))
    assert "ligne 2 (x y) : identifiant invalide" in str(caught.value)
    assert "unité « cm » refusée pour rainfall" in str(caught.value)
    call_command("devices_token", "gw-centre")
    token = capsys.readouterr().out.split("jeton ")[1].split()[0]
    assert Gateway.objects.get(identifier="gw-centre").token_hash == hashlib.sha256(
        token.split(".", 1)[1].encode()).hexdigest()
    with pytest.raises(CommandError):
        call_command("devices_token", "nobody")
