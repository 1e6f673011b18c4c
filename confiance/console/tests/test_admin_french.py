"""The administration is French throughout, django-otp's devices and django-tasks' results included."""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from confiance.accounts.tests.factories import make_agent

pytestmark = pytest.mark.django_db
ENGLISH = ["TOTP device", "Otp_Totp", "Tasks Database Backend", "Task Result", "Identity", "Timestamps",
           "Throttling", "enqueued at", "started at", "finished at", "queue name", "Task name", "Last used",
           "Created at", "Confirmed", "QR Code", "The user that", "Successful", "Running", "worker id",
           "Search by", "qrcode", "+00:00", "None"]


@pytest.fixture
def admin_client_fr(settings):
    settings.CONFIANCE_2FA_RELAXED = True
    agent = make_agent(superuser=True, password=None)
    agent.first_name, agent.last_name = "Alice", "Moreau"
    agent.save()
    TOTPDevice.objects.create(user=agent, name="téléphone", confirmed=True)
    client = Client()
    client.force_login(agent)
    return client


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("path", ["/admin/", "/admin/otp_totp/totpdevice/", "/admin/otp_totp/totpdevice/add/",
                                  "/admin/django_tasks_database/dbtaskresult/", "/admin/otp_totp/"])
def test_third_party_admin_pages_are_french(admin_client_fr, path):
    response = admin_client_fr.get(path)
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert not [word for word in ENGLISH if word in text], text[:3000]


def test_device_change_page_is_french(admin_client_fr):
    device = TOTPDevice.objects.get()
    text = visible_text(admin_client_fr.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode())
    assert "Identité" in text and "Limitation des essais" in text and "Clé secrète" in text
    assert not [word for word in ENGLISH if word in text], text[:3000]
    assert "Double authentification" in text


def test_index_names_the_apps_in_french(admin_client_fr):
    text = visible_text(admin_client_fr.get("/admin/").content.decode())
    assert "Double authentification" in text and "Tâches de fond" in text
    assert "Appareils de double authentification" in text


def test_permissions_are_named_in_french_in_the_group_form(admin_client_fr):
    from django.contrib.auth.models import Permission

    from confiance.console.services import permissions_in_french

    Permission.objects.filter(codename="add_unit").update(name="Can add unit")  # as Django creates them
    permissions_in_french(sender=None)
    assert Permission.objects.get(codename="add_unit").name == "Peut ajouter unité"
    assert not Permission.objects.filter(name__startswith="Can ").exists()
    text = visible_text(admin_client_fr.get("/admin/auth/group/add/").content.decode())
    assert "Can add" not in text and "TOTP device" not in text and "Task Result" not in text
    assert "Peut voir appareil de double authentification" in text


def test_our_background_tasks_are_named_in_words():
    from types import SimpleNamespace

    from django.contrib import admin as django_admin
    from django_tasks_db.models import DBTaskResult

    model_admin = django_admin.site._registry[DBTaskResult]
    ours = SimpleNamespace(task_path="confiance.analytics.tasks.run_analysis", task_name="run_analysis")
    other = SimpleNamespace(task_path="somewhere.else.job", task_name="job")
    assert (model_admin.task(ours), model_admin.task(other)) == ("Calcul d'une analyse", "job")
