"""Breaches (72-hour clock, flagged past it), the RSSI's page, `confiance security check`, the retention dashboard
and its schedule in `serve`, the ethics charter and the public transparency page."""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from confiance.core.management.commands.serve import seconds_until, start_scheduled_retention
from confiance.privacy.choices import BreachRisk
from confiance.privacy.errors import PrivacyError
from confiance.privacy.models import AuditEntry, CharterVersion, RetentionRun
from confiance.privacy.security_checks import run_checks
from confiance.privacy.services.breaches import breach_decide, breach_overdue, breach_record
from confiance.privacy.services.governance import charter_adopt
from confiance.privacy.tests.governance_factories import make_gov_world

pytestmark = pytest.mark.django_db


def test_a_breach_past_72_hours_without_notification_is_flagged(client, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    world = make_gov_world()
    old = breach_record(actor=world.dpo, commune_id=world.commune.pk, description="Courriel envoyé à tort",
                        discovered_at=timezone.now() - timedelta(hours=80))
    fresh = breach_record(actor=world.dpo, commune_id=world.commune.pk, description="Clé USB perdue",
                          discovered_at=timezone.now() - timedelta(hours=5))
    assert breach_overdue(old) and not breach_overdue(fresh)
    client.force_login(world.dpo.agent)
    page = client.get(reverse("privacy:breaches")).content.decode()
    assert page.count("plus de 72 h sans notification") == 1
    assert "Plus de 72 heures" in client.get(reverse("privacy:breach", args=[old.pk])).content.decode()
    breach_decide(actor=world.dpo, breach=old, risk=BreachRisk.RISK, reason="Données de contact exposées",
                  notification_text="…", notified_at=timezone.now())
    assert not breach_overdue(old)
    assert AuditEntry.objects.filter(action="privacy.breach_decide", extra__late=True).exists()
    no_risk = breach_record(actor=world.dpo, commune_id=world.commune.pk, description="Erreur sans risque",
                            discovered_at=timezone.now() - timedelta(days=10))
    breach_decide(actor=world.dpo, breach=no_risk, risk=BreachRisk.NONE, reason="Données chiffrées, clé sûre")
    assert not breach_overdue(no_risk)
    with pytest.raises(PrivacyError):
        breach_record(actor=world.dpo, commune_id=world.commune.pk, description="futur",
                      discovered_at=timezone.now() + timedelta(days=2))
    client.force_login(world.other_dpo.agent)
    assert client.get(reverse("privacy:breach", args=[old.pk])).status_code == 404


def test_the_rssi_page_lists_missing_second_factors_and_inactive_accounts(client, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    world = make_gov_world()
    TOTPDevice.objects.create(user=world.rssi.agent, name="app", confirmed=True)
    chef = world.ops.chef.agent
    chef.last_login = timezone.now() - timedelta(days=200)
    chef.save()
    client.force_login(world.rssi.agent)
    page = client.get(reverse("privacy:security")).content.decode()
    assert "requise, absente" in page and "inactif" in page and chef.username in page
    client.force_login(world.dpo.agent)
    assert client.get(reverse("privacy:security")).status_code == 403


def test_security_check_fails_on_a_test_deployment_and_says_why(settings, tmp_path):
    settings.CONFIANCE_BACKUP_DIR = str(tmp_path)
    checks = {check.name: check for check in run_checks()}
    assert not checks["Clé secrète forte (CONFIANCE_SECRET_KEY)"].ok
    assert any("Sauvegarde" in name and not check.ok for name, check in checks.items())
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("security_check", stdout=out)
    assert "ÉCHEC" in out.getvalue()


def test_security_check_sees_a_recent_backup(settings, tmp_path):
    settings.CONFIANCE_BACKUP_DIR = str(tmp_path)
    archive = tmp_path / "confiance-backup-20260101.tar.gz"
    archive.write_bytes(b"x")
    check = next(check for check in run_checks() if "Sauvegarde de moins" in check.name)
    assert check.ok
    old = timezone.now().timestamp() - 5 * 24 * 3600
    os.utime(archive, (old, old))
    assert not next(check for check in run_checks() if "Sauvegarde de moins" in check.name).ok


def test_retention_dashboard_counts_what_the_next_run_removes_and_the_last_run(client, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    world = make_gov_world()
    client.force_login(world.dpo.agent)
    page = client.get(reverse("privacy:retention")).content.decode()
    assert "jamais été appliquée" in page and "Coordonnées du déclarant" in page
    call_command("retention_run", stdout=io.StringIO())
    assert RetentionRun.objects.get().trigger == "command"
    assert "Dernier passage" in client.get(reverse("privacy:retention")).content.decode()


def test_retention_is_scheduled_daily_and_off_with_the_setting(settings):
    paris = ZoneInfo("Europe/Paris")
    assert seconds_until(3, datetime(2026, 5, 1, 2, 30, tzinfo=paris)) == 1800
    assert seconds_until(3, datetime(2026, 5, 1, 3, 0, tzinfo=paris)) == 24 * 3600
    settings.CONFIANCE_RETENTION_SCHEDULE = False
    assert start_scheduled_retention(log=lambda message: None) is None


def test_charter_versions_are_appended_and_the_public_page_shows_the_last(client, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    world = make_gov_world()
    charter_adopt(actor=world.dpo, commune_id=world.commune.pk, text="Première charte éthique de la commune.")
    client.force_login(world.dpo.agent)
    response = client.post(f"{reverse('privacy:charter')}?commune={world.commune.pk}",
                           {"text": "Deuxième version : aucune reconnaissance faciale, jamais."})
    assert response.status_code == 302
    assert list(CharterVersion.objects.filter(commune=world.commune).values_list("number", flat=True)) == [2, 1]
    assert CharterVersion.objects.get(number=1).text.startswith("Première")
    client.logout()
    page = client.get(reverse("privacy:transparency", args=[world.commune.insee_code])).content.decode()
    assert "Deuxième version" in page and "Première charte" not in page
    assert "Signalements des habitants" in page and "Exercer vos droits" in page
    assert "Martin" not in page
    assert client.get(reverse("privacy:transparency", args=["00000"])).status_code == 404


def test_demo_data_completes_the_registers_once(client):
    from confiance.privacy import demo_data

    world = make_gov_world()
    for _ in range(2):
        demo_data.load(actor=None, stdout=io.StringIO())
    assert CharterVersion.objects.filter(commune=world.commune).count() == 1
    page = client.get(reverse("privacy:transparency", args=[world.commune.insee_code])).content.decode()
    assert "Aucune reconnaissance faciale" in page and "dpo.91386@example.org" in page


def test_the_rssi_sees_failed_logins_per_account_and_address_lockouts_and_tokens_and_exports_them(client, settings):
    from django.test import Client

    from confiance.accounts.models import SecurityEvent
    from confiance.accounts.services import security_event_record
    from confiance.accounts.tests.factories import make_agent

    settings.CONFIANCE_2FA_RELAXED = True
    settings.CONFIANCE_LOCKOUT_THRESHOLD = 2
    # The world's live events and the lockout's journal entry share the test's one transaction (never a request's).
    settings.CONFIANCE_LOCK_ORDER_STRICT = False
    world = make_gov_world()
    victim = world.ops.operator.agent
    stranger = make_agent(communes=[world.other], role="police_agent", username="agent-ormoy")
    for _ in range(3):
        Client(REMOTE_ADDR="203.0.113.66").post("/comptes/connexion/", {"username": victim.username,
                                                                         "password": "mauvais"})
    Client(REMOTE_ADDR="203.0.113.66").post("/comptes/connexion/", {"username": "jdupont-typo",
                                                                     "password": "mauvais"})
    Client(REMOTE_ADDR="198.51.100.77").post("/comptes/connexion/", {"username": stranger.username,
                                                                      "password": "mauvais"})
    Client(REMOTE_ADDR="203.0.113.67").get("/api/v1/accounts/me", headers={"Authorization": "Bearer cft_a_b"})
    old = timezone.now() - timedelta(days=60)
    security_event_record(kind="login_password", name=victim.username, ip="192.0.2.1", agent=victim, now=old)
    client.force_login(world.rssi.agent)
    page = client.get(reverse("privacy:security")).content.decode()
    assert "203.0.113.66" in page and "203.0.113.67" in page and victim.username in page
    assert "Jeton d&#x27;API inconnu ou mal formé" in page
    assert "198.51.100.77" not in page and stranger.username not in page  # another commune's agent
    assert "192.0.2.1" not in page and "jdupont-typo" not in page  # out of the period; names never shown
    assert "192.0.2.1" in client.get(reverse("privacy:security"), {"jours": "90"}).content.decode()
    assert client.get(reverse("privacy:security"), {"jours": "'; DROP"}).status_code == 200
    export = client.get(reverse("privacy:security-csv"), {"jours": "7"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    lines = export.content.decode().splitlines()
    assert lines[0].startswith("Heure;Type;Compte;Adresse")
    assert any("Verrouillage" in line and victim.username in line and "203.0.113.66" in line for line in lines)
    assert any("Identifiant inconnu" in line and "(aucun compte)" in line for line in lines)
    assert not any("198.51.100.77" in line or "jdupont" in line for line in lines)
    client.force_login(world.dpo.agent)
    assert client.get(reverse("privacy:security-csv")).status_code == 403
    assert SecurityEvent.objects.filter(agent=victim, kind="lockout").count() == 1


def test_security_events_are_kept_one_year_by_a_retention_rule():
    from confiance.accounts.models import SecurityEvent
    from confiance.accounts.services import security_event_record
    from confiance.privacy.retention_engine import registered_rules

    rule = {rule.name: rule for rule in registered_rules()}["accounts.security_events"]
    assert rule.max_age() == timedelta(days=365)
    security_event_record(kind="login_unknown", name="x", ip="192.0.2.9", now=timezone.now() - timedelta(days=400))
    security_event_record(kind="login_unknown", name="x", ip="192.0.2.9", now=timezone.now() - timedelta(days=10))
    assert list(rule.due(timezone.now()).values_list("ip_address", flat=True)) == ["192.0.2.9"]
    assert SecurityEvent.objects.count() == 2 and rule.due(timezone.now()).get().last_at < timezone.now() - \
        timedelta(days=365)
