"""Two communes with a DPO each, a police world (main courante with a person, an intervention with a caller) and a
citizen report with a follower, for the governance tests."""

from __future__ import annotations

from dataclasses import dataclass

from confiance.accounts.access import Actor
from confiance.accounts.tests.factories import make_agent
from confiance.operations.drafts import PersonDraft
from confiance.operations.models import LogEntry
from confiance.operations.services.logbook import log_entry_create
from confiance.operations.tests.factories import OpsWorld, configure_commune, entry, make_ops_world
from confiance.reports.drafts import Reporter
from confiance.reports.models import Category, Report, ReportFollower
from confiance.reports.services.submission import report_submit
from confiance.reports.tests.factories import CITIZEN, draft

PERSON = {"name": "Jeanne Martin", "email": "Jeanne.Martin@example.org", "phone": "06 12 34 56 78"}


@dataclass
class GovWorld:
    ops: OpsWorld
    dpo: Actor
    other_dpo: Actor
    rssi: Actor
    report: Report
    log_entry: LogEntry

    @property
    def commune(self):
        return self.ops.commune

    @property
    def other(self):
        return self.ops.other


def make_gov_world() -> GovWorld:
    ops = make_ops_world()
    Category.objects.create(commune=ops.commune, service_code="voirie", name="Voirie")
    dpo = Actor(agent=make_agent(communes=[ops.commune], role="dpo", password=None, username="dpo-mennecy"))
    other_dpo = Actor(agent=make_agent(communes=[ops.other], role="dpo", password=None, username="dpo-ormoy"))
    rssi = Actor(agent=make_agent(communes=[ops.commune], role="rssi", password=None, username="rssi-mennecy"))
    report = report_submit(actor=CITIZEN, draft=draft(point=(48.55, 2.40), reporter=Reporter(
        name=PERSON["name"], email=PERSON["email"], phone="0612345678", consent=True))).report
    ReportFollower.objects.get_or_create(report=report, email=PERSON["email"], defaults={
        "token": "t" * 43, "created_at": report.created_at})
    log = log_entry_create(actor=ops.operator, commune_id=ops.commune.pk, draft=entry(ops, persons=[
        PersonDraft(role="victime", last_name="Martin", first_name="Jeanne", phone="06.12.34.56.78")]))
    return GovWorld(ops, dpo, other_dpo, rssi, report, log)


__all__ = ["PERSON", "GovWorld", "configure_commune", "make_gov_world"]
