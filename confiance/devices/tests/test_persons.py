"""The persons finder of video-protection: a DPO's rights request finds a requesting officer of the register of
extractions by name (whole words, accents and case ignored), in the request's communes only; the entries found
say why they cannot be erased; a name that is nobody's finds nothing."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.tests.factories import make_agent
from confiance.devices.drafts import ExtractionDraft, MediumDraft
from confiance.devices.services.extractions import extraction_deliver, extraction_record
from confiance.devices.tests.camera_factories import make_camera
from confiance.privacy.processing import registered_person_finders

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(world):
    chief = make_agent(communes=[world.commune, world.other], role="shift_supervisor", password=None)
    actor = Actor(agent=chief)
    camera, other_camera = make_camera(world.commune, name="Parvis"), make_camera(world.other, name="Ormoy")
    start = timezone.now() - timedelta(days=2)
    draft = ExtractionDraft(officer_name="Lieutenant Hélène LEFÈVRE", officer_service="Brigade de Mennecy",
                            requisition_reference="PV 2026/77", camera_ids=(camera.pk,), span_start=start,
                            span_end=start + timedelta(hours=1))
    mine = extraction_record(actor=actor, commune=world.commune, draft=draft)
    extraction_deliver(actor=actor, extraction_id=mine.pk, media=[MediumDraft(file_name="parvis.mp4",
                                                                              sha256="b" * 64)])
    extraction_record(actor=actor, commune=world.commune, draft=replace(
        draft, officer_name="Brigadier Marcel Lefèvre-Dupont", requisition_reference="PV 2026/78"))
    theirs = extraction_record(actor=actor, commune=world.other, draft=replace(
        draft, requisition_reference="PV 2026/79", camera_ids=(other_camera.pk,)))
    return mine, theirs


def _finder():
    return next(finder for finder in registered_person_finders() if finder.key == "devices.extractions")


def test_the_finder_is_registered_and_finds_an_officer_by_name_whatever_the_accents_and_case(world, register):
    mine, _theirs = register
    matches = _finder().find(email="", phone="", name="helene lefevre", commune_ids=[world.commune.pk])
    assert [match.pk for match in matches] == [mine.pk]
    match = matches[0]
    assert match.model == "devices.Extraction" and match.reference == "PV 2026/77"
    assert match.data["officier requérant"] == "Lieutenant Hélène LEFÈVRE"
    assert match.data["caméras"] == ["Parvis"] and match.data["fichiers remis"][0]["fichier"] == "parvis.mp4"
    assert not match.erasable and "6 ans" in match.erasure_refusal
    assert _finder().erase is None


def test_only_the_requests_communes_and_whole_words(world, register):
    mine, theirs = register
    find = _finder().find
    assert {m.pk for m in find(name="Lefèvre", commune_ids=None)} >= {mine.pk, theirs.pk}
    assert [m.pk for m in find(name="Hélène Lefèvre", commune_ids=[world.other.pk])] == [theirs.pk]
    assert [m.reference for m in find(name="Marcel", commune_ids=[world.commune.pk])] == ["PV 2026/78"]
    assert find(name="Marc", commune_ids=[world.commune.pk]) == []  # not a whole word of "Marcel"
    assert find(name="Hélène Martin", commune_ids=[world.commune.pk]) == []  # every word must be there


@pytest.mark.parametrize("name", ["", "   ", "x", "%", "_", "' OR 1=1 --", "a" * 5000])
def test_odd_names_and_other_criteria_find_nothing(world, register, name):
    assert _finder().find(email="helene@example.test", phone="0601020304", name=name,
                          commune_ids=[world.commune.pk]) == []
