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
