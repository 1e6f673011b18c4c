"""Chromium against stored script: a payload planted in every free-text field shown on the console, the lists, the
detail pages and the public pages (report description and address, main courante text and place, intervention
address and comment, unit names, type and nature labels, sector and zone names, sensor and gateway names, rule
names, alarm messages) must never run, and no page of ours may trigger a Content-Security-Policy violation."""

import json
import subprocess

import pytest

from confiance.core.testing import CONFIANCE, PROJECT_ROOT, server_process, throwaway_database
from tests.conftest import OUTPUT

pytestmark = pytest.mark.browser
PASSWORD = "confiance-demo"

# Each planted value names its field, so a failure says which one ran: window.__xss = "<field>".
SEED = r'''
import json
from django.utils import timezone
from confiance.accounts.access import Actor
from confiance.accounts.models import Agent
from confiance.core.actors import PublicActor
from confiance.devices.choices import MeasurementSource, Quantity, RuleKind
from confiance.devices.drafts import Parsed, Reading
from confiance.devices.models import Alarm, Device, Gateway, Rule
from confiance.devices.services.measurements import measurements_store
from confiance.devices.tests.factories import make_device
from confiance.operations.drafts import EntryDraft, InterventionDraft
from confiance.operations.models import InterventionType, Nature, Unit, UnitStatus
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.logbook import log_entry_create
from confiance.reports.drafts import ReportDraft
from confiance.reports.models import Category
from confiance.reports.services.submission import report_submit
from confiance.territory.models import Commune, Sector, Zone


def bad(field, room=300):
    img = '<img src=x onerror="window.__xss=\'%s\'">' % field
    script = '"><script>window.__xss="%s"</script>' % field
    both = img + script
    return both if len(both) <= room else img


commune = Commune.objects.get(name="Mennecy")
from shapely.geometry import shape
inside = shape(commune.geometry).representative_point()
LAT, LON = inside.y, inside.x
operator = Actor(agent=Agent.objects.get(username="operateur"))
for unit in Unit.objects.all():
    unit.name = '<img src=x onerror="window.__xss=\'u%s\'">' % unit.pk
    unit.save(update_fields=["name"])
UnitStatus.objects.update(label='<img src=x onerror="window.__xss=1">')
for model, field in ((InterventionType, "label"), (Nature, "label"), (Sector, "name"), (Zone, "name"),
                     (Gateway, "name"), (Category, "name")):
    for row in model.objects.all():
        setattr(row, field, bad("%s.%s" % (model.__name__, row.pk), 200))
        row.save(update_fields=[field])
itype = InterventionType.objects.filter(commune=commune).first()
intervention = intervention_create(actor=operator, commune_id=commune.pk, draft=InterventionDraft(
    type_id=itype.pk, lat=LAT, lon=LON, address=bad("intervention.address"),
    description=bad("intervention.description"), acknowledge_sensitive=True))
nature = Nature.objects.filter(commune=commune).first()
log_entry_create(actor=operator, commune_id=commune.pk, draft=EntryDraft(
    nature_id=nature.pk, source="appel", text=bad("log.text", 5000), address=bad("log.address"),
    lat=LAT, lon=LON, acknowledge_sensitive=True))
report = None
for category in Category.objects.filter(active=True) if hasattr(Category, "active") else Category.objects.all():
    try:
        report = report_submit(actor=PublicActor("xss"), draft=ReportDraft(
            lat=LAT, lon=LON, service_code=category.service_code, description=bad("report.description", 2000),
            address=bad("report.address"))).report
        break
    except Exception:
        continue
device = make_device(commune, "xss-capteur", quantities=(Quantity.WATER_LEVEL,))
Device.objects.filter(pk=device.pk).update(name=bad("device.name", 200))
Rule.objects.create(commune=commune, name=bad("rule.name", 200), kind=RuleKind.THRESHOLD, device=device,
                    quantity=Quantity.WATER_LEVEL, threshold=2.0, clear_threshold=1.8, severity=3)
measurements_store(Parsed(readings=[Reading(device="xss-capteur", quantity="water_level",
                                            observed_at=timezone.now(), value=2.6)]),
                   source=MeasurementSource.SIMULATION)
Alarm.objects.update(message=bad("alarm.message"))
print(json.dumps({"report": report.pk, "token": report.tracking_token, "device": device.pk,
                  "intervention": intervention.pk}))
'''

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""
# Open every tooltip Leaflet would show on hover: a string tooltip is written as HTML only when shown.
HOVER = """() => {
  document.querySelectorAll('.leaflet-interactive, .leaflet-marker-icon').forEach((node) => {
    node.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
    node.dispatchEvent(new MouseEvent('mouseout', {bubbles: true}));
  });
  document.querySelectorAll('#c-interventions button').forEach((b) => b.click());
}"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-injection")
    with throwaway_database(folder) as env:
        done = subprocess.run([CONFIANCE, "shell", "-c", SEED], env=env, capture_output=True, text=True,
                              cwd=PROJECT_ROOT)
        assert done.returncode == 0, done.stderr[-3000:]
        ids = json.loads(done.stdout.strip().splitlines()[-1])
        with server_process(env) as base:
            yield base, ids


def visit(page, url, ready=None):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if ready:
        page.wait_for_selector(ready, state="attached", timeout=10000)
    page.evaluate(HOVER)
    page.wait_for_timeout(400)
    ran = page.evaluate("window.__xss || null")
    violations = page.evaluate("window.__csp")
    assert ran is None, f"{url}: injected script ran ({ran})"
    assert violations == [], f"{url}: CSP violations {violations}"


def test_no_planted_script_runs_anywhere(planted, browser):
    base, ids = planted
    OUTPUT.mkdir(exist_ok=True)
    messages = []
    context = browser.new_context(locale="fr-FR", viewport={"width": 1440, "height": 900})
    context.add_init_script(WATCH)
    page = context.new_page()
    page.on("console", lambda message: messages.append(message.text))
    # Public pages first, with no session.
    visit(page, f"{base}/")
    visit(page, f"{base}/signalements/{ids['report']}/")
    visit(page, f"{base}/signalements/suivi/{ids['token']}/")
    visit(page, f"{base}/signaler/", "#report-map .leaflet-interactive")
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Identifiant").fill("chef")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/agents/")
    visit(page, f"{base}/agents/")
    visit(page, f"{base}/agents/console/", "#ops-map[data-units]")
    assert "onerror" in page.locator("#c-interventions").text_content()  # the payload is there, as text
    page.screenshot(path=str(OUTPUT / "console-injection.png"))
    visit(page, f"{base}/agents/main-courante/")
    visit(page, f"{base}/agents/signalements/", "#reports-map[data-loaded]")
    visit(page, f"{base}/agents/signalements/{ids['report']}/")
    visit(page, f"{base}/agents/interventions/delais/")
    visit(page, f"{base}/agents/territoire/", "#territory-map[data-loaded]")
    visit(page, f"{base}/agents/capteurs/")
    visit(page, f"{base}/agents/capteurs/{ids['device']}/")
    visit(page, f"{base}/agents/capteurs/sante/")
    visit(page, f"{base}/api/v1/docs")
    assert not [m for m in messages if "Content Security Policy" in m], messages
    context.close()


def test_the_field_page_runs_no_planted_script(planted, browser):
    base, _ids = planted
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    context.add_init_script(WATCH)
    page = context.new_page()
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Identifiant").fill("policier")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/agents/")
    visit(page, f"{base}/agents/terrain/")
    context.close()
