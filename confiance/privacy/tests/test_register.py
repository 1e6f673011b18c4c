"""The register of processing activities: every model holding personal data is declared, retention comes from the
engine, the page, PDF and CSV are the commune's only, and the commune completes controller and DPO."""

import pytest
from django.urls import reverse

from confiance.privacy.models import AuditEntry, CommunePrivacy
from confiance.privacy.personal_data import NOT_PERSONAL, personal_fields, personal_models
from confiance.privacy.processing import registered_processings
from confiance.privacy.retention_engine import registered_rules
from confiance.privacy.selectors.register import register_entries
from confiance.privacy.tests.governance_factories import make_gov_world

# Apps whose declaration another branch writes (crisis writes operations/processing.py): until it is merged, their
# models are not demanded here; as soon as the app has a processing module, every one of its models is.
DECLARED_IN_ANOTHER_BRANCH = {"operations"}


def _has_processing_module(app_label: str) -> bool:
    from importlib.util import find_spec

    from django.apps import apps

    return find_spec(f"{apps.get_app_config(app_label).name}.processing") is not None


def test_every_model_holding_personal_data_is_covered_by_a_declaration():
    declared = {label for processing in registered_processings() for label in processing.models}
    traces_covered = any(processing.covers_agent_traces for processing in registered_processings())
    missing = []
    for model in personal_models():
        app_label = model.label.split(".")[0]
        if app_label in DECLARED_IN_ANOTHER_BRANCH and not _has_processing_module(app_label):
            continue
        if model.label in declared or (model.agent_traces_only and traces_covered):
            continue
        missing.append(f"{model.label} {model.fields}")
    assert not missing, "Models holding personal data that no processing declares: " + "; ".join(missing)


def test_the_heuristic_catches_person_fields_and_agent_references():
    from confiance.operations.models import LogPerson
    from confiance.reports.models import Report

    person, _agents = personal_fields(LogPerson)
    assert {"last_name", "first_name", "birth_date", "phone", "address"} <= set(person)
    person, agents = personal_fields(Report)
    assert {"reporter_email", "reporter_phone", "reporter_name"} <= set(person) and agents == ["assigned_to"]
    assert all(reason.strip() for reason in NOT_PERSONAL.values())


def test_declared_models_and_rules_exist():
    from django.apps import apps

    rules = {rule.name for rule in registered_rules()}
    for processing in registered_processings():
        for label in processing.models:
            apps.get_model(label)  # raises LookupError on a typo
        assert set(processing.retention_rules) <= rules, processing.key


def test_register_reads_retention_from_the_engine(settings):
    settings.CONFIANCE_REPORT_PERSONAL_DATA_DAYS = 200
    entry = next(entry for entry in register_entries() if entry.processing.key == "reports.citizen_reports")
    assert "200 jours" in entry.retention_text
    assert not entry.unknown_rules


@pytest.mark.django_db
def test_register_page_pdf_csv_and_completion(client, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    world = make_gov_world()
    client.force_login(world.dpo.agent)
    url = reverse("privacy:register")
    page = client.get(url)
    assert page.status_code == 200 and "Signalements des habitants" in page.content.decode()
    response = client.post(f"{url}?commune={world.commune.pk}", {
        "controller": "Commune de Mennecy", "dpo_name": "Claire Dpo", "dpo_email": "dpo@mennecy.example"})
    assert response.status_code == 302
    assert CommunePrivacy.objects.get(commune=world.commune).dpo_email == "dpo@mennecy.example"
    assert AuditEntry.objects.filter(action="privacy.register_update", commune_id=world.commune.pk).exists()
    pdf = client.get(reverse("privacy:register-pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    csv_body = client.get(reverse("privacy:register-csv")).content.decode()
    assert "Commune de Mennecy" in csv_body and "Finalité" in csv_body


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["privacy:register", "privacy:register-pdf", "privacy:register-csv",
                                  "privacy:access-review", "privacy:access-review-csv", "privacy:requests",
                                  "privacy:breaches", "privacy:charter"])
def test_a_dpo_of_another_commune_is_refused(client, settings, name):
    settings.CONFIANCE_2FA_RELAXED = True
    world = make_gov_world()
    client.force_login(world.other_dpo.agent)
    response = client.get(f"{reverse(name)}?commune={world.commune.pk}")
    assert response.status_code in (403, 404)
    assert "Mennecy" not in response.content.decode()
    assert not CommunePrivacy.objects.filter(commune=world.commune).exists()


@pytest.mark.django_db
def test_an_agent_without_the_right_is_refused(client, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    world = make_gov_world()
    client.force_login(world.ops.operator.agent)
    assert client.get(reverse("privacy:register")).status_code == 403
    assert client.get(reverse("privacy:home")).status_code == 403


@pytest.mark.django_db
def test_dpia_draft_is_prefilled_and_downloadable(client, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    world = make_gov_world()
    client.force_login(world.dpo.agent)
    page = client.get(reverse("privacy:dpia", args=["reports.citizen_reports"]))
    assert page.status_code == 200
    text = client.get(reverse("privacy:dpia-download", args=["reports.citizen_reports"])).content.decode()
    assert "## 3. Risques" in text and "dpo-mennecy" in text and "Accès illégitime" in text
    assert client.get(reverse("privacy:dpia", args=["nothing.here"])).status_code == 404
