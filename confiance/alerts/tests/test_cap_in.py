"""CAP in: messages and Atom feeds imported, hostile or malformed XML refused with a clear error."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from confiance.alerts.cap.build import cap_datetime
from confiance.alerts.cap.fetch import fetch_local, local_address
from confiance.alerts.cap.xml import MAX_DEPTH, parse_untrusted
from confiance.alerts.errors import AlertsError, AlertsErrorCode
from confiance.alerts.models import IncomingAlert
from confiance.alerts.services.incoming import incoming_import_bytes

pytestmark = pytest.mark.django_db


def prefecture_cap(identifier="PREF91-2030-1", msg_type="Alert", references="", polygon=None, expires_h=6):
    now = timezone.now()
    polygon = polygon or "48.552,2.402 48.552,2.408 48.558,2.408 48.558,2.402 48.552,2.402"
    refs = f"<references>{references}</references>" if references else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier><sender>pref-91@interieur.gouv.fr</sender>
  <sent>{cap_datetime(now)}</sent><status>Actual</status><msgType>{msg_type}</msgType><scope>Public</scope>{refs}
  <info><language>fr-FR</language><category>Met</category><event>Vigilance crues</event>
    <urgency>Expected</urgency><severity>Severe</severity><certainty>Likely</certainty>
    <expires>{cap_datetime(now + timedelta(hours=expires_h))}</expires>
    <senderName>Préfecture de l'Essonne</senderName><headline>Vigilance orange crues</headline>
    <instruction>Ne vous engagez pas sur les routes inondées.</instruction>
    <area><areaDesc>Vallée de l'Essonne</areaDesc><polygon>{polygon}</polygon></area></info>
</alert>""".encode()


def test_message_is_imported_for_the_communes_its_area_covers(world):
    report = incoming_import_bytes(actor=None, data=prefecture_cap(), source="test")
    incoming = IncomingAlert.objects.get(pk=report.created[0])
    assert list(incoming.communes.all()) == [world.commune]
    assert incoming.sender_name == "Préfecture de l'Essonne" and incoming.severity == "Severe"
    again = incoming_import_bytes(actor=None, data=prefecture_cap(), source="test")
    assert again.created == [] and again.already_known == 1


def test_cancel_ends_the_referenced_incoming_alert(world):
    incoming_import_bytes(actor=None, data=prefecture_cap(), source="test")
    first = IncomingAlert.objects.get()
    reference = f"{first.sender},{first.identifier},{cap_datetime(first.sent)}"
    incoming_import_bytes(actor=None, data=prefecture_cap("PREF91-2030-2", "Cancel", reference), source="test")
    first.refresh_from_db()
    assert first.expires <= timezone.now()


def test_atom_feed_with_inline_entries(world):
    entry = prefecture_cap().decode().split("?>", 1)[1]
    feed = f"""<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title><updated>2030-01-01T00:00:00Z</updated>
      <entry><id>e1</id><title>t</title><updated>2030-01-01T00:00:00Z</updated>
        <content type="application/cap+xml">{entry}</content></entry>
    </feed>""".encode()
    report = incoming_import_bytes(actor=None, data=feed, source="feed")
    assert len(report.created) == 1


@pytest.mark.parametrize("document, code", [
    (b"""<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>""",
     AlertsErrorCode.CAP_UNSAFE),
    (b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><alert>&lol3;</alert>""", AlertsErrorCode.CAP_UNSAFE),
    (b"<alert>" + b"x" * (5 * 1024 * 1024) + b"</alert>", AlertsErrorCode.CAP_TOO_LARGE),
    (b"<a>" * (MAX_DEPTH + 5) + b"</a>" * (MAX_DEPTH + 5), AlertsErrorCode.CAP_INVALID),
    (b"<a>" * 100_000 + b"</a>" * 100_000, AlertsErrorCode.CAP_INVALID),
    (b"<alert><unclosed></alert>", AlertsErrorCode.CAP_INVALID),
    (b"", AlertsErrorCode.CAP_INVALID),
    (b"\xff\xfe\x00garbage", AlertsErrorCode.CAP_INVALID),
    (b"""<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>""",
     AlertsErrorCode.CAP_INVALID),
    (b"<html><body>not cap</body></html>", AlertsErrorCode.CAP_INVALID),
])
def test_hostile_or_malformed_xml_is_refused(world, document, code):
    with pytest.raises(AlertsError) as refused:
        incoming_import_bytes(actor=None, data=document, source="test")
    assert refused.value.code == code and refused.value.message
    assert not IncomingAlert.objects.exists()


def test_external_entity_is_never_resolved():
    with pytest.raises(AlertsError) as refused:
        parse_untrusted(b'<!DOCTYPE a [<!ENTITY e SYSTEM "http://127.0.0.1:1/">]><a>&e;</a>')
    assert refused.value.code == AlertsErrorCode.CAP_UNSAFE


@pytest.mark.parametrize("url", ["http://8.8.8.8/cap.xml", "ftp://127.0.0.1/x", "file:///etc/passwd",
                                 "http://user:pw@127.0.0.1/x", "http://[2001:4860:4860::8888]/x", "http:///nohost"])
def test_urls_outside_the_local_network_are_refused(url):
    with pytest.raises(AlertsError) as refused:
        fetch_local(url)
    assert refused.value.code == AlertsErrorCode.SOURCE_REFUSED


def test_loopback_is_local():
    assert local_address("127.0.0.1", 80) == "127.0.0.1"


def test_command_imports_a_file_and_reports(world, tmp_path):
    path = tmp_path / "pref.xml"
    path.write_bytes(prefecture_cap())
    out = StringIO()
    call_command("alerts_import", str(path), stdout=out)
    assert "1 importée" in out.getvalue() and IncomingAlert.objects.count() == 1
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<!DOCTYPE x><x/>")
    with pytest.raises(CommandError, match="DTD"):
        call_command("alerts_import", str(bad))
    with pytest.raises(CommandError, match="local"):
        call_command("alerts_import", "http://93.184.216.34/feed.atom")
