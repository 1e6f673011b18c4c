"""The BAN import: a good file, lines refused with their number, the same file again, other communes skipped."""

import pytest
from django.core.management import CommandError, call_command

from confiance.addresses.demo_data import ADDRESSES
from confiance.addresses.errors import AddressesError
from confiance.addresses.models import Address, AddressImport
from confiance.addresses.services import addresses_import
from confiance.addresses.tests.factories import ban_file, ban_line
from confiance.privacy.models import AuditEntry
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def mennecy():
    return make_commune(insee_code="91386", name="Mennecy")


def test_a_good_file_is_imported_with_search_forms(tmp_path, mennecy):
    path = ban_file(tmp_path, ban_line("91386_0001_00012", 12, "Rue de l'Église", rep="bis"),
                    ban_line("91386_0002_00003", 3, "Allée des Châtaigniers", lon="2.431", lat="48.561"))
    result = addresses_import(actor=None, path=path)
    assert (result.created, result.updated, result.skipped, result.lines) == (2, 0, 0, 2)
    church = Address.objects.get(ban_id="91386_0001_00012")
    assert (church.number, church.suffix, church.commune_id, church.postal_code) == (12, "bis", mennecy.pk, "91540")
    assert church.label == "12 bis Rue de l'Église, 91540 Mennecy"
    assert church.street_key == "rue de l eglise"
    assert church.search_key == " rue de l eglise 91540 mennecy "
    assert AddressImport.objects.get().created == 2
    assert AuditEntry.objects.filter(action="addresses.import").count() == 1


def test_importing_the_same_file_again_changes_nothing(tmp_path, mennecy):
    path = ban_file(tmp_path, ban_line("91386_0001_00001", 1, "Rue Pasteur"), ban_line("91386_0001_00002", 2,
                                                                                       "Rue Pasteur"))
    addresses_import(actor=None, path=path)
    before = list(Address.objects.order_by("ban_id").values("id", "ban_id", "number", "street", "lat", "lon"))
    again = addresses_import(actor=None, path=path)
    assert (again.created, again.updated) == (0, 2)
    assert list(Address.objects.order_by("ban_id").values("id", "ban_id", "number", "street", "lat", "lon")) == before


def test_a_known_id_is_updated_in_place(tmp_path, mennecy):
    addresses_import(actor=None, path=ban_file(tmp_path, ban_line("91386_0001_00001", 1, "Rue Pasteur")))
    pk = Address.objects.get().pk
    addresses_import(actor=None, path=ban_file(tmp_path, ban_line("91386_0001_00001", 1, "Rue Louis Pasteur",
                                                                  lat="48.5601"), name="v2.csv"))
    moved = Address.objects.get()
    assert (moved.pk, moved.street, moved.lat) == (pk, "Rue Louis Pasteur", 48.5601)


def test_a_reimport_removes_the_addresses_its_communes_no_longer_have_and_keeps_other_communes(tmp_path, mennecy):
    make_commune(insee_code="91204", name="Fontenay-le-Vicomte")
    addresses_import(actor=None, path=ban_file(
        tmp_path, ban_line("91386_0001_00001", 1, "Rue Pasteur"), ban_line("91386_0001_00002", 2, "Rue Pasteur"),
        ban_line("91204_0001_00001", 1, "Grande Rue", insee="91204", city="Fontenay-le-Vicomte")))
    again = addresses_import(actor=None, path=ban_file(tmp_path, ban_line("91386_0001_00002", 2, "Rue Pasteur"),
                                                       name="v2.csv"))
    assert (again.created, again.updated, again.removed) == (0, 1, 1)
    assert sorted(Address.objects.values_list("ban_id", flat=True)) == ["91204_0001_00001", "91386_0001_00002"]
    assert AddressImport.objects.latest("imported_at").removed == 1
    assert AuditEntry.objects.filter(action="addresses.import").last().extra["removed"] == 1


def test_bad_lines_refuse_the_file_naming_each_line_in_french(tmp_path, mennecy):
    path = ban_file(tmp_path, ban_line("91386_0001_00001", 1, "Rue Pasteur"),
                    ban_line("91386_0001_00002", "deux", "Rue Pasteur"),
                    ban_line("91386_0001_00003", 3, "Rue Pasteur", lat="quarante-huit"),
                    ban_line("", 4, "Rue Pasteur"),
                    ban_line("91386_0001_00005", 5, "Rue Pasteur", postal_code="915"))
    with pytest.raises(AddressesError) as caught:
        addresses_import(actor=None, path=path)
    error = caught.value
    assert error.message.startswith("Fichier d'adresses refusé, rien n'a été importé : ligne 3 : numéro invalide")
    assert "4 ligne(s) en erreur" in error.message
    assert [(fault["line"], fault["message"]) for fault in error.details["errors"]] == [
        (3, "numéro invalide : « deux »"), (4, "lat invalide : « quarante-huit »"),
        (5, "identifiant (colonne id) manquant"), (6, "code postal invalide : « 915 »")]
    assert not Address.objects.exists() and not AddressImport.objects.exists()


def test_a_header_without_the_ban_columns_is_refused(tmp_path, mennecy):
    path = ban_file(tmp_path, "1,2,3", header="id,numero,nom_voie")
    with pytest.raises(AddressesError) as caught:
        addresses_import(actor=None, path=path)
    assert "ligne 1 : en-tête : colonnes manquantes" in caught.value.message
    assert "séparateur attendu est le point-virgule" in caught.value.message


def test_a_file_that_is_not_utf8_names_its_line(tmp_path, mennecy):
    path = tmp_path / "latin1.csv"
    path.write_bytes(ban_file(tmp_path, ban_line("91386_0001_00001", 1, "Rue de l'Église"), name="u.csv")
                     .read_text(encoding="utf-8").encode("latin-1"))
    with pytest.raises(AddressesError) as caught:
        addresses_import(actor=None, path=path)
    assert "ligne 2" in caught.value.message


def test_other_communes_are_skipped_and_a_file_of_none_is_refused(tmp_path, mennecy):
    path = ban_file(tmp_path, ban_line("91386_0001_00001", 1, "Rue Pasteur"),
                    ban_line("75056_0001_00001", 1, "Rue de Rivoli", insee="75056", city="Paris", postal_code="75001"))
    result = addresses_import(actor=None, path=path)
    assert (result.created, result.skipped) == (1, 1)
    with pytest.raises(AddressesError, match="Aucune adresse des communes servies"):
        addresses_import(actor=None, path=ban_file(tmp_path, ban_line(
            "75056_0001_00001", 1, "Rue de Rivoli", insee="75056", city="Paris", postal_code="75001"), name="p.csv"))


def test_a_large_file_is_stored_in_batches(tmp_path, mennecy, monkeypatch):
    monkeypatch.setattr("confiance.addresses.services.BATCH_SIZE", 7)
    lines = [ban_line(f"91386_0001_{n:05d}", n, "Rue Pasteur") for n in range(1, 51)]
    result = addresses_import(actor=None, path=ban_file(tmp_path, *lines))
    assert (result.created, Address.objects.count()) == (50, 50)


def test_the_command_reports_counts_and_errors_in_french(tmp_path, mennecy, capsys):
    call_command("addresses_import", str(ban_file(tmp_path, ban_line("91386_0001_00001", 1, "Rue Pasteur"))))
    assert "Adresses : 1 créée(s), 0 déjà connue(s)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="ligne 2 : numéro invalide"):
        call_command("addresses_import", str(ban_file(tmp_path, ban_line("x", "?", "Rue"), name="bad.csv")))
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("addresses_import", str(tmp_path / "absent.csv"))


def test_the_demo_file_is_in_the_ban_format_and_lies_in_the_demo_communes(tmp_path):
    from confiance.territory.demo_data import load as load_territory

    load_territory(actor=None, stdout=__import__("io").StringIO())
    result = addresses_import(actor=None, path=ADDRESSES)
    assert result.created > 1000 and result.skipped == 0
    assert Address.objects.values("commune").distinct().count() == 6
