"""Drafting, submitting, approving by a second person, publishing, updating and cancelling alerts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree

from confiance.alerts import hooks
from confiance.alerts.cap.rules import cap_rule_problems
from confiance.alerts.cap.xml import schema_errors
from confiance.alerts.choices import AlertStatus, MessageType
from confiance.alerts.errors import AlertsError, AlertsErrorCode
from confiance.alerts.models import Alert, AlertStep
from confiance.alerts.services.authoring import alert_draft, alert_edit, alert_return, alert_submit
from confiance.alerts.services.publication import alert_approve, alert_cancel, alert_publish, alert_update
from confiance.alerts.tests.factories import flood_draft
from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=False)


def _submitted(world, **changes):
    alert = alert_draft(actor=world.operator, commune_id=world.commune.pk, draft=flood_draft(**changes))
    return alert_submit(actor=world.operator, alert_id=alert.pk)


def test_two_person_rule_publishes_a_valid_cap_message(world, django_capture_on_commit_callbacks):
    seen = []
    hooks.on_published(seen.append)
    try:
        alert = _submitted(world)
        with django_capture_on_commit_callbacks(execute=True):
            alert = alert_approve(actor=world.chief, alert_id=alert.pk)
    finally:
        hooks._on_published.remove(seen.append)
    assert alert.status == AlertStatus.PUBLISHED and alert.approver_id == world.chief.agent.pk
    assert seen == [alert.pk]
    root = etree.fromstring(alert.cap_xml.encode())
    assert schema_errors(root) == [] and cap_rule_problems(root) == []
    assert [step.kind for step in AlertStep.objects.filter(alert=alert)] == [
        "drafted", "submitted", "approved", "published"]
    assert AuditEntry.objects.filter(action="alerts.publish", target_id=str(alert.pk)).count() == 1


def test_author_cannot_approve_own_draft_even_as_chief(world):
    alert = alert_draft(actor=world.chief, commune_id=world.commune.pk, draft=flood_draft())
    alert_submit(actor=world.chief, alert_id=alert.pk)
    with pytest.raises(AlertsError) as refused:
        alert_approve(actor=world.chief, alert_id=alert.pk)
    assert refused.value.code == AlertsErrorCode.OWN_DRAFT
    alert.refresh_from_db()
    assert alert.status == AlertStatus.AWAITING_APPROVAL and alert.approver_id is None and not alert.cap_xml


def test_operator_cannot_approve(world):
    alert = alert_draft(actor=world.chief, commune_id=world.commune.pk, draft=flood_draft())
    alert_submit(actor=world.chief, alert_id=alert.pk)
    with pytest.raises(AlertsError) as refused:
        alert_approve(actor=world.operator, alert_id=alert.pk)
    assert refused.value.code == AlertsErrorCode.APPROVER_NOT_ALLOWED
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.AWAITING_APPROVAL


def test_publishing_without_approval_is_refused(world):
    alert = _submitted(world)
    with pytest.raises(AlertsError) as refused:
        alert_publish(actor=world.operator, alert_id=alert.pk)
    assert refused.value.code == AlertsErrorCode.NOT_APPROVED
    draft = alert_draft(actor=world.operator, commune_id=world.commune.pk, draft=flood_draft())
    with pytest.raises(AlertsError):
        alert_approve(actor=world.chief, alert_id=draft.pk)  # never submitted
    assert not Alert.objects.filter(status=AlertStatus.PUBLISHED).exists()


def test_approve_then_publish_in_two_steps(world):
    alert = _submitted(world)
    alert = alert_approve(actor=world.elected, alert_id=alert.pk, publish=False)
    assert alert.status == AlertStatus.AWAITING_APPROVAL and alert.approved_at
    alert = alert_publish(actor=world.operator, alert_id=alert.pk)
    assert alert.status == AlertStatus.PUBLISHED


def test_validity_ending_before_it_starts_is_refused(world):
    now = timezone.now()
    with pytest.raises(AlertsError) as refused:
        alert_draft(actor=world.operator, commune_id=world.commune.pk,
                    draft=flood_draft(onset=now, expires=now - timedelta(minutes=1)))
    assert refused.value.code == AlertsErrorCode.VALIDITY_INVALID
    assert refused.value.details == {"field": "expires"}
    assert not Alert.objects.exists()


@pytest.mark.parametrize("ring, words", [
    ([[2.40, 48.55], [2.41, 48.56], [2.41, 48.55], [2.40, 48.56], [2.40, 48.55]], "recoupe"),
    ([[2.40, 48.55], [2.41, 48.55], [2.41, 48.56], [2.40, 48.56]], "ouvert"),
    ([[2.40, 48.55], [2.41, 48.55], [2.40, 48.55]], "4 sommets"),
    ([[2.40, 48.55], [2.41, 48.55], [2.41, 148.56], [2.40, 48.55]], "WGS84"),
])
def test_bad_polygons_are_refused(world, ring, words):
    area = {"type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    with pytest.raises(AlertsError) as refused:
        alert_draft(actor=world.operator, commune_id=world.commune.pk, draft=flood_draft(area=area))
    assert refused.value.code == AlertsErrorCode.AREA_INVALID and words in refused.value.message
    assert not Alert.objects.exists()


def test_circle_and_sector_reach_the_cap_area(world):
    area = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"radius_m": 800},
         "geometry": {"type": "Point", "coordinates": [2.41, 48.56]}}]}
    alert = _submitted(world, area=area, sector_ids=(world.sector.pk,))
    alert = alert_approve(actor=world.chief, alert_id=alert.pk)
    root = etree.fromstring(alert.cap_xml.encode())
    ns = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}
    assert root.findtext("c:info/c:area/c:circle", namespaces=ns) == "48.560000,2.410000 0.800"
    assert len(root.findall("c:info/c:area/c:polygon", ns)) == 1


def test_submitting_without_area_is_refused(world):
    alert = alert_draft(actor=world.operator, commune_id=world.commune.pk, draft=flood_draft(area={}))
    with pytest.raises(AlertsError) as refused:
        alert_submit(actor=world.operator, alert_id=alert.pk)
    assert refused.value.code == AlertsErrorCode.AREA_MISSING


def test_update_references_the_replaced_alert_and_supersedes_it(world):
    first = alert_approve(actor=world.chief, alert_id=_submitted(world).pk)
    update = alert_update(actor=world.operator, replaces=[first.pk], draft=flood_draft(headline="Crue : la décrue"))
    alert_submit(actor=world.operator, alert_id=update.pk)
    update = alert_approve(actor=world.elected, alert_id=update.pk)
    first.refresh_from_db()
    assert first.status == AlertStatus.SUPERSEDED and update.msg_type == MessageType.UPDATE
    root = etree.fromstring(update.cap_xml.encode())
    reference = root.findtext("{urn:oasis:names:tc:emergency:cap:1.2}references")
    assert reference.split(",")[:2] == [first.sender, first.identifier]
    assert schema_errors(root) == []


def test_update_of_an_unknown_alert_is_refused(world):
    with pytest.raises(AlertsError) as refused:
        alert_update(actor=world.operator, replaces=[987654], draft=flood_draft())
    assert refused.value.code == AlertsErrorCode.REFERENCE_UNKNOWN
    draft = alert_draft(actor=world.operator, commune_id=world.commune.pk, draft=flood_draft())
    with pytest.raises(AlertsError) as refused:
        alert_update(actor=world.operator, replaces=[draft.pk], draft=flood_draft())  # not published
    assert refused.value.code == AlertsErrorCode.REFERENCE_NOT_IN_FORCE
    assert Alert.objects.count() == 1


def test_cancel_ends_the_alert(world):
    first = alert_approve(actor=world.chief, alert_id=_submitted(world).pk)
    cancel = alert_cancel(actor=world.operator, replaces=[first.pk], reason="La rivière a baissé.")
    alert_submit(actor=world.operator, alert_id=cancel.pk)
    cancel = alert_approve(actor=world.chief, alert_id=cancel.pk)
    first.refresh_from_db()
    assert first.status == AlertStatus.CANCELLED and cancel.msg_type == MessageType.CANCEL
    assert schema_errors(etree.fromstring(cancel.cap_xml.encode())) == []


def test_other_commune_sees_nothing_and_changes_nothing(world):
    alert = _submitted(world)
    with pytest.raises(NotFoundError):
        alert_approve(actor=world.outsider, alert_id=alert.pk)
    with pytest.raises(PermissionDeniedError):
        alert_draft(actor=world.police, commune_id=world.commune.pk, draft=flood_draft())
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.AWAITING_APPROVAL


def test_returned_alert_goes_back_to_draft_and_can_be_edited(world):
    alert = _submitted(world)
    alert_return(actor=world.chief, alert_id=alert.pk, note="Précisez les rues.")
    alert = alert_edit(actor=world.operator, alert_id=alert.pk, draft=flood_draft(area_description="Rue du Moulin"))
    assert alert.status == AlertStatus.DRAFT and alert.review_note == "Précisez les rues."
