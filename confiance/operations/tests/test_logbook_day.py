"""Main courante in daily use: numbers unique across communes (and the migration of old ones), the chef de poste's
visa that locks a day, the PDF that says so, the grace-period edit and corrections reachable from the entry, the
form on the agent's commune with its natures, the simulator's coherent entries."""

import importlib
import io
import random
import re
import zlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from confiance.core.errors import PermissionDeniedError
from confiance.operations import simulation
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.forms import LogEntryForm
from confiance.operations.models import DayVisa, Intervention, LogEntry, Nature
from confiance.operations.payloads import intervention_payload, log_entry_payload
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.logbook import (
    log_day_sign,
    log_entry_correct,
    log_entry_create,
    log_entry_edit,
    may_edit,
)
from confiance.operations.tests.factories import POINT_B, ago, call, entry, make_actor, make_unit
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db

migration = importlib.import_module("confiance.operations.migrations.0004_numbers_visa")


def client_for(actor) -> Client:
    client = Client()
    client.force_login(actor.agent)
    return client


def pdf_text(content: bytes) -> str:
    """The text drawn in an fpdf2 document (its page streams are deflated)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(re.findall(r"\((.*?)\)\s*Tj", "\n".join(chunks)))


# --- Numbers ------------------------------------------------------------------------------------------------------


def test_numbers_are_unique_across_communes_on_one_console(world):
    mine = log_entry_create(actor=world.operator, commune_id=world.commune.pk, draft=entry(world))
    theirs = log_entry_create(actor=world.other_operator, commune_id=world.other.pk,
                              draft=entry(world, nature_id=world.other_nature.pk))
    year = timezone.localtime().year
    assert mine.number == f"MC-91386-{year}-000001" and theirs.number == f"MC-91468-{year}-000001"
    first = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    other = intervention_create(actor=world.other_operator, commune_id=world.other.pk,
                                draft=call(world, point=POINT_B, type_id=world.other_type.pk))
    assert first.number == f"INT-91386-{year}-000001" and other.number == f"INT-91468-{year}-000001"
    # Every place shows the stored number: payloads (API, console, live events), the logbook page.
    assert log_entry_payload(mine)["number"] == mine.number and intervention_payload(first)["number"] == first.number
    page = client_for(world.operator).get("/agents/main-courante/", {"commune": "91386"}).content.decode()
    assert mine.number in page and theirs.number not in page
    api = client_for(world.operator).get("/api/v1/operations/log-entries").json()
    assert [row["number"] for row in api] == [mine.number]


def test_the_migration_gives_existing_numbers_their_commune_code(world):
    mine = log_entry_create(actor=world.operator, commune_id=world.commune.pk, draft=entry(world))
    theirs = log_entry_create(actor=world.other_operator, commune_id=world.other.pk,
                              draft=entry(world, nature_id=world.other_nature.pk))
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    LogEntry.objects.filter(pk=mine.pk).update(number="MC-2025-000042")
    LogEntry.objects.filter(pk=theirs.pk).update(number="MC-2025-000042")  # the same number in two communes
    Intervention.objects.filter(pk=intervention.pk).update(number="INT-2025-000007")
    migration.add_commune_codes(apps, None)
    assert LogEntry.objects.get(pk=mine.pk).number == "MC-91386-2025-000042"
    assert LogEntry.objects.get(pk=theirs.pk).number == "MC-91468-2025-000042"
    assert Intervention.objects.get(pk=intervention.pk).number == "INT-91386-2025-000007"
    migration.add_commune_codes(apps, None)  # run twice: numbers already in the new form stay as they are
    assert LogEntry.objects.get(pk=mine.pk).number == "MC-91386-2025-000042"
    migration.remove_commune_codes(apps, None)
    assert LogEntry.objects.get(pk=theirs.pk).number == "MC-2025-000042"
    assert migration.renumbered("autre chose", "91386") == "autre chose"


# --- Visa ---------------------------------------------------------------------------------------------------------


def test_only_the_chef_de_poste_signs_a_day_once_and_not_ahead(world):
    today = timezone.localdate()
    with pytest.raises(PermissionDeniedError):
        log_day_sign(actor=world.agent, commune_id=world.commune.pk, day=today)
    with pytest.raises(OperationsError) as future:
        log_day_sign(actor=world.chef, commune_id=world.commune.pk, day=today + timedelta(days=1))
    assert future.value.code == OperationsErrorCode.DAY_INVALID
    visa = log_day_sign(actor=world.chef, commune_id=world.commune.pk, day=today)
    assert visa.signed_by == world.chef.agent
    assert AuditEntry.objects.filter(action="operations.log_day_sign", target_id=str(visa.pk)).exists()
    with pytest.raises(OperationsError) as twice:
        log_day_sign(actor=world.chef, commune_id=world.commune.pk, day=today)
    assert twice.value.code == OperationsErrorCode.DAY_SIGNED and twice.value.status_code == 409


def test_a_signed_day_is_locked_but_a_correction_dated_today_is_possible(world):
    yesterday = ago(days=1)
    original = log_entry_create(actor=world.agent, commune_id=world.commune.pk,
                                draft=entry(world, occurred_at=yesterday), now=yesterday + timedelta(minutes=1))
    log_day_sign(actor=world.chef, commune_id=world.commune.pk, day=timezone.localdate(yesterday))
    with pytest.raises(OperationsError) as new:
        log_entry_create(actor=world.agent, commune_id=world.commune.pk,
                         draft=entry(world, occurred_at=yesterday + timedelta(minutes=5)))
    assert new.value.code == OperationsErrorCode.DAY_SIGNED and new.value.status_code == 409
    with pytest.raises(OperationsError) as edit:
        log_entry_edit(actor=world.agent, entry=original, draft=entry(world, "Corrigé."),
                       now=yesterday + timedelta(minutes=2))  # still in its grace period, but the day is signed
    assert edit.value.code == OperationsErrorCode.DAY_SIGNED
    assert not may_edit(world.agent, original, now=yesterday + timedelta(minutes=2))
    correction = log_entry_correct(actor=world.agent, entry=original, draft=entry(world, "Rectification : n° 5."))
    assert correction.corrects == original and timezone.localdate(correction.occurred_at) == timezone.localdate()
    other_commune = log_entry_create(actor=world.other_operator, commune_id=world.other.pk,
                                     draft=entry(world, nature_id=world.other_nature.pk, occurred_at=yesterday))
    assert other_commune.pk  # the visa locks one commune's day only


def test_the_visa_from_the_logbook_page_and_the_pdf_that_says_so(world, settings):
    settings.CONFIANCE_2FA_RELAXED = True  # the chef de poste's second factor has its own tests
    log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(world))
    day = timezone.localdate().isoformat()
    agent_page = client_for(world.agent).get("/agents/main-courante/", {"commune": "91386", "jour": day})
    assert "Viser la journée" not in agent_page.content.decode()
    refused = client_for(world.agent).post("/agents/main-courante/visa", {"commune": "91386", "jour": day},
                                           follow=True)
    assert not DayVisa.objects.exists() and "droit" in refused.content.decode()
    chef = client_for(world.chef)
    assert "Viser la journée" in chef.get("/agents/main-courante/", {"commune": "91386", "jour": day}).content.decode()
    assert chef.get("/agents/main-courante/visa").status_code == 405
    page = chef.post("/agents/main-courante/visa", {"commune": "91386", "jour": day}, follow=True).content.decode()
    visa = DayVisa.objects.get(commune=world.commune)
    assert "Journée visée par" in page and "Viser la journée" not in page
    pdf = chef.get("/agents/main-courante/pdf", {"commune": "91386", "jour": day, "motif": "Archivage mensuel"})
    text = pdf_text(pdf.content)
    signed = timezone.localtime(visa.signed_at)
    assert f"Journée visée par {world.chef.agent.username} le {signed:%d/%m/%Y à %H:%M}".encode("latin-1").decode(
        "latin-1") in text
    unsigned = chef.get("/agents/main-courante/pdf", {"commune": "91386", "motif": "Archivage mensuel",
                                                      "jour": (timezone.localdate() - timedelta(days=1)).isoformat()})
    assert "Journée non visée" in pdf_text(unsigned.content)
    bad = chef.post("/agents/main-courante/visa", {"commune": "91386", "jour": "pas une date"})
    assert bad.status_code == 403 and "Commune ou jour inconnu" in bad.content.decode()


# --- Edit and corrections from the entry -------------------------------------------------------------------------


def test_the_grace_period_edit_is_reachable_from_the_entry(world):
    mine = log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(world))
    client = client_for(world.agent)
    page = client.get("/agents/main-courante/", {"commune": "91386"}).content.decode()
    edit_url = f"/agents/main-courante/{mine.pk}/modifier/"
    assert f'href="{edit_url}"' in page and f'href="/agents/main-courante/{mine.pk}/rectifier/"' in page
    form = client.get(edit_url).content.decode()
    assert "Musique forte signalée" in form and f"Modifier l'entrée {mine.number}" in form
    response = client.post(edit_url, {"commune": world.commune.pk, "nature": world.nature.pk, "source": "appel",
                                      "text": "Musique forte au 5 rue des Lilas."})
    assert response.status_code == 302 and f"#entry-{mine.pk}" in response["Location"]
    assert LogEntry.objects.get(pk=mine.pk).text == "Musique forte au 5 rue des Lilas."
    # Someone else's entry, or one past its grace period, offers only the correction.
    other_page = client_for(world.operator).get("/agents/main-courante/", {"commune": "91386"}).content.decode()
    assert f'href="{edit_url}"' not in other_page
    assert client_for(world.operator).get(edit_url)["Location"].endswith(f"/{mine.pk}/rectifier/")
    LogEntry.objects.filter(pk=mine.pk).update(created_at=ago(hours=2))
    assert f'href="{edit_url}"' not in client.get("/agents/main-courante/", {"commune": "91386"}).content.decode()
    assert client_for(world.other_operator).get(edit_url).status_code == 403  # another commune's entry


def test_corrections_are_linked_both_ways(world):
    original = log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(world))
    client = client_for(world.operator)
    response = client.post(f"/agents/main-courante/{original.pk}/rectifier/", {
        "commune": world.commune.pk, "nature": world.nature.pk, "source": "appel",
        "text": "Rectification : il s'agissait du n° 5."})
    correction = LogEntry.objects.get(corrects=original)
    assert response.status_code == 302 and f"#entry-{correction.pk}" in response["Location"]
    page = client.get("/agents/main-courante/", {"commune": "91386"}).content.decode()
    day = timezone.localdate().isoformat()
    assert f'Rectifiée par <a href="/agents/main-courante/?commune=91386&amp;jour={day}#entry-{correction.pk}">' \
           f'{correction.number}</a>' in page
    assert f'<a href="/agents/main-courante/?commune=91386&amp;jour={day}#entry-{original.pk}">' \
           f'{original.number}</a>' in page
    assert LogEntry.objects.get(pk=original.pk).text.startswith("Musique forte signalée")  # the original stays


# --- The form -----------------------------------------------------------------------------------------------------


def test_the_form_opens_on_the_agents_commune_with_its_natures_only(world):
    both = make_actor(communes=[world.commune, world.other], role="police_agent")
    make_unit(world.other, "Ormoy 2", agents=[both.agent])
    page = client_for(both).get("/agents/main-courante/").content.decode()
    assert "Main courante — Ormoy" in page
    assert re.search(rf'<option value="{world.other.pk}" selected>Ormoy</option>', page)
    select = re.search(r'<select name="nature".*?</select>', page, re.S).group(0)
    assert f'value="{world.other_nature.pk}"' in select and f'value="{world.nature.pk}"' not in select
    assert 'id="entry-natures"' in page and "operations/entry-form.js" in page  # the list follows the commune
    natures = Nature.objects.filter(commune__in=[world.commune, world.other])
    form = LogEntryForm({"commune": world.commune.pk, "nature": world.other_nature.pk, "source": "appel",
                         "text": "x"}, communes=[world.commune, world.other], natures=natures)
    assert not form.is_valid() and "nature" in form.errors  # another commune's nature is refused
    assert {int(k) for k in form.nature_options} == {world.commune.pk, world.other.pk}
    assert [row[0] for row in form.nature_options[str(world.other.pk)]] == list(
        natures.filter(commune=world.other).values_list("pk", flat=True))


# --- Simulator ----------------------------------------------------------------------------------------------------


def test_the_simulator_writes_entries_whose_nature_matches_their_text(world):
    rng = random.Random(4)
    operator = make_actor(communes=[world.commune, world.other], role="csu_operator")
    for _ in range(12):
        simulation._new_call(rng, timezone.now(), [world.commune, world.other], operator, io.StringIO())
    entries = list(LogEntry.objects.select_related("nature"))
    assert entries  # world has "accident" calls without an "accident" nature: those used to be filed as "tapage"
    for row in entries:
        assert row.text in simulation.CALL_TEXTS[row.nature.code], (row.nature.code, row.text)
    for intervention in Intervention.objects.filter(log_entry__isnull=False).select_related("log_entry__nature"):
        assert intervention.intervention_type.code == intervention.log_entry.nature.code
    log_day_sign(actor=make_actor(communes=[world.commune, world.other], role="shift_supervisor"),
                 commune_id=world.commune.pk, day=timezone.localdate())
    before = LogEntry.objects.count()
    simulation._new_call(rng, timezone.now(), [world.commune], operator, io.StringIO())
    assert LogEntry.objects.count() == before and Intervention.objects.filter(log_entry__isnull=True).exists()


def test_the_whole_warning_is_in_french_and_names_the_words_as_written(world):
    response = client_for(world.agent).post("/agents/main-courante/", {
        "commune": world.commune.pk, "nature": world.nature.pk, "source": "patrouille",
        "text": "Un homme noir a crié devant le 3 rue des Lilas."})
    page = response.content.decode()
    assert response.status_code == 200 and not LogEntry.objects.exists()
    assert "Attention : données interdites dans ce fichier ?" in page
    assert "Le texte semble contenir des données interdites dans ce fichier (origine raciale ou ethnique)" in page
    assert "origine raciale ou ethnique : « homme noir » (… Un homme noir a crié devant le 3 rue des …)" in page
    assert "ne repère pas toutes les formulations" in page and "origine</" not in page


# --- Generated input on the new pages -----------------------------------------------------------------------------

_VALUES = st.one_of(st.sampled_from(["", " ", "0", "-1", "²", "2026-02-30", "0001-01-01", "9999-12-31", "a\x00b",
                                     "91386", "91468", str(2**63), "1e308"]), st.text(max_size=12))
_FIELDS = ["commune", "jour", "nature", "source", "text", "occurred_at", "person_role", "person_last_name",
           "person_birth_date", "lat", "lon", "acknowledge_sensitive"]


@hypothesis_settings(max_examples=25, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck))
@given(data=st.dictionaries(st.sampled_from(_FIELDS), _VALUES, max_size=len(_FIELDS)),
       page=st.sampled_from(["visa", "modifier", "rectifier"]))
def test_the_new_pages_take_any_input_without_a_server_error(world_for_fuzz, data, page):
    client, entry_id = world_for_fuzz
    path = "/agents/main-courante/visa" if page == "visa" else f"/agents/main-courante/{entry_id}/{page}/"
    assert client.post(path, data).status_code < 500, (path, data)
    assert client.get(path, data).status_code < 500, (path, data)


@pytest.fixture
def world_for_fuzz(world, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    original = log_entry_create(actor=world.chef, commune_id=world.commune.pk, draft=entry(world))
    return client_for(world.chef), original.pk
