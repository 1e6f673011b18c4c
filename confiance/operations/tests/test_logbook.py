"""Main courante services: numbering, the forbidden-data check, tenancy, the grace period and corrections."""

from datetime import timedelta

import pytest
from django.utils import timezone

from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.core.models import OutboxEvent
from confiance.core.sensitive import sensitive_matches
from confiance.operations.drafts import PersonDraft
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.models import LogEntry
from confiance.operations.selectors import log_entry_list_for_actor
from confiance.operations.services.logbook import log_entry_correct, log_entry_create, log_entry_edit
from confiance.operations.tests.factories import ago, code_of, entry
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_entry_numbered_audited_and_published(world):
    first = log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(
        world, persons=[PersonDraft(role="requerant", last_name="Martin", first_name="Léa", phone="0600000000")]))
    second = log_entry_create(actor=world.operator, commune_id=world.commune.pk, draft=entry(world))
    year = timezone.localtime().year
    code = world.commune.insee_code
    assert first.number == f"MC-{code}-{year}-000001" and second.number == f"MC-{code}-{year}-000002"
    assert first.purpose == "autres_missions" and first.persons.get().last_name == "Martin"
    assert AuditEntry.objects.filter(action="operations.log_entry_create", target_id=str(first.pk)).exists()
    assert OutboxEvent.objects.filter(event_type="operations.log_entry", commune_id=world.commune.pk).count() == 2
    infraction = log_entry_create(actor=world.agent, commune_id=world.commune.pk,
                                           draft=entry(world, nature_id=world.infraction.pk))
    assert infraction.purpose == "infractions"


@pytest.mark.parametrize("text, category", [
    ("Le mis en cause, d'origine maghrébine, a pris la fuite.", "origine"),
    ("Individu connu comme militant d'extrême droite.", "opinions"),
    ("La requérante, musulmane pratiquante, se plaint.", "religion"),
    ("Il est délégué syndical chez le transporteur.", "syndicat"),
    ("Personne séropositive, sous traitement médical.", "sante"),
    ("Couple homosexuel insulté dans la rue.", "sexualite"),
])
def test_forbidden_categories_warned_then_confirmed(world, text, category):
    with pytest.raises(OperationsError) as excinfo:
        log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(world, text))
    assert code_of(excinfo) == OperationsErrorCode.SENSITIVE_DATA and excinfo.value.status_code == 422
    assert category in {match["category"] for match in excinfo.value.details["matches"]}
    assert not LogEntry.objects.exists()
    saved = log_entry_create(actor=world.agent, commune_id=world.commune.pk,
                                      draft=entry(world, text, acknowledge_sensitive=True))
    assert category in {match["category"] for match in saved.sensitive_acknowledged}
    audit = AuditEntry.objects.get(action="operations.log_entry_create")
    assert category in audit.extra["sensitive_confirmed"]


def test_ordinary_text_passes_the_check():
    assert sensitive_matches("Véhicule stationné sur le trottoir devant l'école, conducteur verbalisé.") == []
    assert sensitive_matches("Tapage nocturne, musique forte, rappel à l'ordre effectué.") == []


def test_sensitive_words_in_persons_are_caught(world):
    with pytest.raises(OperationsError) as excinfo:
        log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(
            world, persons=[PersonDraft(role="temoin", last_name="Durand", address="Hôpital psychiatrique")]))
    assert code_of(excinfo) == OperationsErrorCode.SENSITIVE_DATA


def test_entry_tenancy_and_roles(world):
    with pytest.raises(NotFoundError):
        log_entry_create(actor=world.other_operator, commune_id=world.commune.pk, draft=entry(world))
    with pytest.raises(PermissionDeniedError):
        log_entry_create(actor=world.elected, commune_id=world.commune.pk, draft=entry(world))
    log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(world))
    assert list(log_entry_list_for_actor(actor=world.other_operator)) == []
    assert list(log_entry_list_for_actor(actor=world.elected)) == []


def test_grace_period_then_correction(world):
    created = log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(world),
                                        now=ago(minutes=5))
    log_entry_edit(actor=world.agent, entry=created, draft=entry(world, "Musique forte au 5 rue des Lilas."))
    created.refresh_from_db()
    assert created.text.startswith("Musique forte au 5")
    with pytest.raises(OperationsError) as excinfo:
        log_entry_edit(actor=world.operator, entry=created, draft=entry(world, "Autre"))
    assert code_of(excinfo) == OperationsErrorCode.NOT_AUTHOR
    old = log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(world),
                                    now=ago(hours=2))
    with pytest.raises(OperationsError) as excinfo:
        log_entry_edit(actor=world.agent, entry=old, draft=entry(world, "Réécrit"))
    assert code_of(excinfo) == OperationsErrorCode.GRACE_PERIOD_OVER
    correction = log_entry_correct(actor=world.agent, entry=old, draft=entry(world, "Rectificatif : n° 5."))
    old.refresh_from_db()
    assert correction.corrects_id == old.pk and old.text == "Musique forte signalée au 3 rue des Lilas."


@pytest.mark.parametrize("changes, code", [
    ({"occurred_at": timezone.now() + timedelta(hours=1)}, OperationsErrorCode.TIME_INVALID),
    ({"nature_id": "other_nature"}, OperationsErrorCode.NATURE_UNKNOWN),
    ({"source": "rumeur"}, OperationsErrorCode.SOURCE_UNKNOWN),
    ({"text": "x" * 4001}, OperationsErrorCode.TEXT_TOO_LONG),
    ({"text": "   "}, OperationsErrorCode.TEXT_EMPTY),
    ({"lat": 95.0, "lon": 2.4}, OperationsErrorCode.LOCATION_INVALID),
    ({"persons": [PersonDraft(role="suspect", last_name="X")]}, OperationsErrorCode.PERSON_INVALID),
    ({"persons": [PersonDraft(role="temoin", last_name="")]}, OperationsErrorCode.PERSON_INVALID),
    ({"report_id": 999999}, OperationsErrorCode.LINK_INVALID),
], ids=["future", "other_nature", "source", "too_long", "empty", "point", "role", "no_name", "report"])
def test_entry_bad_input(world, changes, code):
    if changes.get("nature_id") == "other_nature":
        changes = {**changes, "nature_id": world.other_nature.pk}
    with pytest.raises(OperationsError) as excinfo:
        log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(world, **changes))
    assert code_of(excinfo) == code, changes
    assert not LogEntry.objects.exists()
