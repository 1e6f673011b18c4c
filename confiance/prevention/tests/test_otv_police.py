"""The police side: who may see the homes (never an élu nor a technicien), the access log, the passage and its main
courante entry, the resident's notice, the route sheet, the figures."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.operations.models import LogEntry
from confiance.prevention.models import OtvPassage
from confiance.prevention.selectors.otv import homes_to_watch, otv_figures
from confiance.prevention.services.otv_notices import otv_sweep
from confiance.prevention.services.otv_passages import passage_log
from confiance.prevention.tests.otv_factories import HOME_A_SOUTH, HOME_B, away_now
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_homes_to_watch_are_those_away_that_day_in_the_sector(otv_world):
    today = timezone.localdate()
    north = away_now(otv_world)
    south = away_now(otv_world, point=HOME_A_SOUTH, sector=otv_world.south)
    away_now(otv_world, leaves_on=today + timedelta(days=3), returns_on=today + timedelta(days=9))
    away_now(otv_world, status="annulee")
    away_now(otv_world, commune=otv_world.other, sector=None, point=HOME_B)
    everyone = homes_to_watch(actor=otv_world.agent, commune_id=otv_world.commune.pk, day=today)
    assert {home.pk for home in everyone} == {north.pk, south.pk}
    in_north = homes_to_watch(actor=otv_world.agent, commune_id=otv_world.commune.pk, day=today,
                              sector_id=otv_world.north.pk)
    assert [home.pk for home in in_north] == [north.pk]


@pytest.mark.parametrize("who", ["elected", "technician"])
def test_an_elu_or_a_technicien_may_not_read_otv_homes(otv_world, who, client):
    away_now(otv_world)
    actor = getattr(otv_world, who)
    with pytest.raises(PermissionDeniedError):
        homes_to_watch(actor=actor, commune_id=otv_world.commune.pk, day=timezone.localdate())
    client.force_login(actor.agent)
    for name in ["prevention:otv-homes", "prevention:otv-field", "prevention:otv-figures",
                 "prevention:otv-route-pdf"]:
        response = client.get(reverse(name), {"commune": "91386", "motif": "Vérification"})
        assert response.status_code == 403, name
        assert b"Lilas" not in response.content
    assert not AuditEntry.objects.filter(kind="access").exists()


def test_another_communes_agent_does_not_find_the_home_and_nothing_changes(otv_world):
    home = away_now(otv_world)
    with pytest.raises(NotFoundError):
        passage_log(actor=otv_world.other_agent, registration_id=home.pk, outcome="ras")
    assert not OtvPassage.objects.exists() and not LogEntry.objects.exists()


def test_the_list_page_asks_a_motive_and_logs_the_consultation(otv_world, client):
    home = away_now(otv_world)
    client.force_login(otv_world.agent.agent)
    page = client.get(reverse("prevention:otv-homes"), {"commune": "91386"})
    assert page.status_code == 200 and b"Lilas" not in page.content
    page = client.get(reverse("prevention:otv-homes"), {"commune": "91386", "motif": "Patrouille de nuit",
                                                         "secteur": otv_world.north.pk})
    assert page.status_code == 200 and "3 Rue des Lilas" in page.content.decode()
    entry = AuditEntry.objects.get(kind="access")
    assert entry.motive == "Patrouille de nuit" and entry.extra["otv_registrations"] == [home.pk]


def test_a_passage_writes_the_main_courante_without_naming_the_resident(otv_world):
    home = away_now(otv_world)
    passage = passage_log(actor=otv_world.agent, registration_id=home.pk, outcome="ras", lat=48.565, lon=2.405)
    entry = LogEntry.objects.get(number=passage.log_entry_number)
    assert entry.purpose == "autres_missions" and entry.nature.code == "otv" and entry.source == "patrouille"
    assert home.reference in entry.text and "Durand" not in entry.text and "Lilas" not in entry.text
    assert passage.agent == otv_world.agent.agent and passage.outcome == "ras"


def test_an_anomaly_is_told_to_the_resident_once(otv_world, django_capture_on_commit_callbacks):
    home = away_now(otv_world)
    with django_capture_on_commit_callbacks(execute=True):
        passage_log(actor=otv_world.agent, registration_id=home.pk, outcome="anomalie",
                    note="Volet du rez-de-chaussée forcé")
    assert len(mail.outbox) == 1 and "Volet du rez-de-chaussée forcé" in mail.outbox[0].body
    assert mail.outbox[0].to == ["paul@example.org"]
    otv_sweep()
    assert len(mail.outbox) == 1  # already sent: the sweep does not send it again


def test_an_anomaly_needs_a_note_and_a_home_not_watched_today_is_refused(otv_world):
    from confiance.prevention.errors import OtvError

    home = away_now(otv_world)
    with pytest.raises(OtvError):
        passage_log(actor=otv_world.agent, registration_id=home.pk, outcome="anomalie", note="")
    later = away_now(otv_world, leaves_on=timezone.localdate() + timedelta(days=3))
    with pytest.raises(OtvError):
        passage_log(actor=otv_world.agent, registration_id=later.pk, outcome="ras")
    assert not OtvPassage.objects.exists() and not LogEntry.objects.exists()


def test_the_summary_goes_after_the_return_once(otv_world):
    today = timezone.localdate()
    away_now(otv_world, leaves_on=today - timedelta(days=9), returns_on=today - timedelta(days=1))
    away_now(otv_world)  # still away: no summary yet
    assert otv_sweep()["summaries"] == 1
    assert otv_sweep()["summaries"] == 0
    assert len(mail.outbox) == 1 and "bilan" in mail.outbox[0].subject.lower()


def test_figures_count_passages_anomalies_and_homes_never_visited(otv_world):
    first, second = away_now(otv_world), away_now(otv_world, point=HOME_A_SOUTH, sector=otv_world.south)
    away_now(otv_world, address="5 Rue des Roses")
    passage_log(actor=otv_world.agent, registration_id=first.pk, outcome="ras")
    passage_log(actor=otv_world.agent, registration_id=first.pk, outcome="anomalie", note="Portail ouvert")
    passage_log(actor=otv_world.agent, registration_id=second.pk, outcome="ras")
    today = timezone.localdate()
    figures = otv_figures(actor=otv_world.agent, commune_id=otv_world.commune.pk, start=today, end=today)
    assert (figures.registrations, figures.passages, figures.anomalies, figures.never_visited) == (3, 3, 1, 1)
    assert figures.passages_per_home == 1.0


def test_the_route_sheet_is_a_pdf_of_the_sector_in_tour_order(otv_world, client):
    for index in range(5):
        away_now(otv_world, point=(48.561 + 0.001 * index, 2.401 + 0.0015 * (index % 2)),
                 address=f"{index} Rue des Lilas")
    client.force_login(otv_world.agent.agent)
    response = client.get(reverse("prevention:otv-route-pdf"), {"commune": "91386", "secteur": otv_world.north.pk,
                                                                 "motif": "Tournée de l'après-midi"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AuditEntry.objects.get(kind="access").extra["view"] == "otv_route_pdf"


def test_the_field_panel_notes_a_passage(otv_world, client):
    home = away_now(otv_world)
    client.force_login(otv_world.agent.agent)
    page = client.get(reverse("prevention:otv-field"), {"commune": "91386"})
    assert page.status_code == 200 and "3 Rue des Lilas" in page.content.decode()
    response = client.post(reverse("prevention:otv-passage", args=[home.pk]),
                           {"outcome": "ras", "note": "", "lat": "48.565", "lon": "2.405", "retour": "?commune=91386"})
    assert response.status_code == 302 and OtvPassage.objects.filter(registration=home).count() == 1
