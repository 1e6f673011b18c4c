"""The register of extractions: a requisition holds its spans at once; media handed over carry a valid SHA-256;
a pending request near the purge of its cameras is flagged; the register as CSV and PDF, access-logged; a held
entry is never purged by the retention engine, a released one is after six years."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.tests.factories import make_agent
from confiance.core.errors import PermissionDeniedError
from confiance.devices.choices import ExtractionStatus
from confiance.devices.drafts import ExtractionDraft, MediumDraft
from confiance.devices.errors import DevicesError, DevicesErrorCode
from confiance.devices.models import Extraction, ExtractionMedium
from confiance.devices.selectors.cameras import extraction_is_urgent, held_extractions_for_camera
from confiance.devices.services.extractions import extraction_deliver, extraction_record, extraction_release_hold
from confiance.devices.tests.camera_factories import make_camera
from confiance.privacy.choices import JournalKind
from confiance.privacy.models import AuditEntry
from confiance.privacy.retention_engine import apply_rule, registered_rules

pytestmark = pytest.mark.django_db
DIGEST = "a" * 64


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True


@pytest.fixture
def chief(world):
    return make_agent(communes=[world.commune], role="shift_supervisor", password=None)


def _draft(cameras, *, start_days_ago=2.0, hours=2):
    start = timezone.now() - timedelta(days=start_days_ago)
    return ExtractionDraft(officer_name="OPJ Martin", officer_service="Brigade de Mennecy",
                           requisition_reference="PV 2026/1234", camera_ids=tuple(c.pk for c in cameras),
                           span_start=start, span_end=start + timedelta(hours=hours))


def test_a_requisition_holds_its_spans_until_release(world, chief):
    camera = make_camera(world.commune)
    extraction = extraction_record(actor=Actor(agent=chief), commune=world.commune, draft=_draft([camera]))
    assert list(held_extractions_for_camera(camera=camera)) == [extraction]
    extraction_release_hold(actor=Actor(agent=chief), extraction_id=extraction.pk)
    assert not held_extractions_for_camera(camera=camera).exists()
    with pytest.raises(DevicesError) as raised:
        extraction_release_hold(actor=Actor(agent=chief), extraction_id=extraction.pk)
    assert raised.value.code == DevicesErrorCode.EXTRACTION_HOLD_RELEASED
    actions = list(AuditEntry.objects.filter(action__startswith="cameras.extraction").values_list("action", flat=True))
    assert actions == ["cameras.extraction_record", "cameras.extraction_release"]


def test_the_dpos_retention_dashboard_counts_the_holds_in_force(world, chief):
    from confiance.privacy.selectors.retention import legal_holds

    camera = make_camera(world.commune)
    held = extraction_record(actor=Actor(agent=chief), commune=world.commune, draft=_draft([camera]))
    released = extraction_record(actor=Actor(agent=chief), commune=world.commune, draft=_draft([camera]))
    extraction_release_hold(actor=Actor(agent=chief), extraction_id=released.pk)
    assert [(hold.label, hold.count) for hold in legal_holds()] == [
        ("Extractions vidéo sous conservation judiciaire", 1)]
    assert held.hold_released_at is None


@pytest.mark.parametrize("digest", ["a" * 63, "g" * 64, "a" * 65, "", "A" * 32 + " " * 32])
def test_refuses_a_medium_without_a_valid_sha256_and_changes_nothing(world, chief, digest):
    camera = make_camera(world.commune)
    extraction = extraction_record(actor=Actor(agent=chief), commune=world.commune, draft=_draft([camera]))
    with pytest.raises(DevicesError) as raised:
        extraction_deliver(actor=Actor(agent=chief), extraction_id=extraction.pk,
                           media=[MediumDraft("ok.mp4", DIGEST), MediumDraft("bad.mp4", digest)])
    assert raised.value.code == DevicesErrorCode.EXTRACTION_DIGEST_INVALID
    extraction.refresh_from_db()
    assert extraction.status == ExtractionStatus.PENDING and not ExtractionMedium.objects.exists()


def test_delivery_records_files_date_agent_and_an_export_in_the_access_log(world, chief):
    camera = make_camera(world.commune)
    extraction = extraction_record(actor=Actor(agent=chief), commune=world.commune, draft=_draft([camera]))
    extraction_deliver(actor=Actor(agent=chief), extraction_id=extraction.pk,
                       media=[MediumDraft("cam1.mp4", DIGEST.upper())])
    extraction.refresh_from_db()
    assert extraction.status == ExtractionStatus.DELIVERED and extraction.delivered_by == chief
    assert list(extraction.media.values_list("file_name", "sha256")) == [("cam1.mp4", DIGEST)]
    assert AuditEntry.objects.filter(kind=JournalKind.ACCESS, target_type="devices.Extraction").count() == 1
    assert held_extractions_for_camera(camera=camera).exists()  # delivered is not released
    with pytest.raises(DevicesError):
        extraction_deliver(actor=Actor(agent=chief), extraction_id=extraction.pk, media=[MediumDraft("x", DIGEST)])


def test_refuses_bad_spans_and_cameras_of_another_commune(world, chief):
    mine, theirs = make_camera(world.commune), make_camera(world.other)
    actor = Actor(agent=chief)
    for draft in [_draft([theirs]), _draft([]), _draft([mine], hours=-1), _draft([mine], start_days_ago=-1),
                  _draft([mine], hours=24 * 40)]:
        with pytest.raises(DevicesError):
            extraction_record(actor=actor, commune=world.commune, draft=draft)
    police = make_agent(communes=[world.commune], role="police_agent", password=None)
    with pytest.raises(PermissionDeniedError):
        extraction_record(actor=Actor(agent=police), commune=world.commune, draft=_draft([mine]))
    assert not Extraction.objects.exists()


def test_a_pending_request_near_the_retention_limit_is_urgent(world, chief):
    short = make_camera(world.commune, retention_days=7, authorisation_retention_days=10)
    long = make_camera(world.commune, retention_days=30)
    actor = Actor(agent=chief)
    near = extraction_record(actor=actor, commune=world.commune, draft=_draft([short, long], start_days_ago=5))
    far = extraction_record(actor=actor, commune=world.commune, draft=_draft([long], start_days_ago=5))
    assert extraction_is_urgent(near) and not extraction_is_urgent(far)
    extraction_deliver(actor=actor, extraction_id=near.pk, media=[MediumDraft("a.mp4", DIGEST)])
    near.refresh_from_db()
    assert not extraction_is_urgent(near)  # delivered: nothing more to fear from the purge


def test_a_held_entry_is_never_purged_a_released_one_after_six_years(world, chief):
    rule = {rule.name: rule for rule in registered_rules()}["devices.camera_extractions"]
    camera = make_camera(world.commune)
    actor = Actor(agent=chief)
    held = extraction_record(actor=actor, commune=world.commune, draft=_draft([camera]))
    released = extraction_record(actor=actor, commune=world.commune, draft=_draft([camera]))
    extraction_release_hold(actor=actor, extraction_id=released.pk)
    apply_rule(rule, now=timezone.now() + timedelta(days=365 * 5), batch_size=100)
    assert set(Extraction.objects.values_list("pk", flat=True)) == {held.pk, released.pk}
    apply_rule(rule, now=timezone.now() + timedelta(days=365 * 30), batch_size=100)
    assert list(Extraction.objects.values_list("pk", flat=True)) == [held.pk]
    assert list(held_extractions_for_camera(camera=camera)) == [held]


def _client(agent):
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    return client


def test_the_register_page_records_a_requisition_and_exports_for_an_inspection(world, chief):
    camera = make_camera(world.commune)
    client = _client(chief)
    start = timezone.localtime() - timedelta(days=1)
    response = client.post("/agents/cameras/extractions/", {
        "commune": world.commune.pk, "officer_name": "OPJ Durand", "officer_service": "Commissariat d'Évry",
        "requisition_reference": "RJ-77", "cameras": [camera.pk],
        "span_start": start.strftime("%Y-%m-%dT%H:%M"),
        "span_end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    extraction = Extraction.objects.get()
    client.post(f"/agents/cameras/extractions/{extraction.pk}/remise", {"media": f"export RJ-77.mp4 {DIGEST}"})
    extraction.refresh_from_db()
    assert list(extraction.media.values_list("file_name", flat=True)) == ["export RJ-77.mp4"]
    page = client.get("/agents/cameras/extractions/").content.decode()
    assert "RJ-77" in page and "OPJ Durand" in page and DIGEST in page
    refused = client.post("/agents/cameras/extractions/registre", {"commune": world.commune.pk, "fmt": "csv"})
    assert refused.status_code == 302  # no motive, no export
    logged = AuditEntry.objects.filter(kind=JournalKind.ACCESS, extra__what="register_csv")
    assert not logged.exists()
    csv = client.post("/agents/cameras/extractions/registre",
                      {"commune": world.commune.pk, "fmt": "csv", "motive": "Contrôle CNIL du 3 mars"})
    assert csv.status_code == 200 and "RJ-77" in csv.content.decode() and DIGEST in csv.content.decode()
    pdf = client.post("/agents/cameras/extractions/registre",
                      {"commune": world.commune.pk, "fmt": "pdf", "motive": "Contrôle préfecture"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(kind=JournalKind.ACCESS, motive="Contrôle CNIL du 3 mars").count() == 1


def test_the_register_is_refused_to_agents_without_the_extract_permission(world):
    police = make_agent(communes=[world.commune], role="police_agent", password=None)
    assert _client(police).get("/agents/cameras/extractions/").status_code == 403
