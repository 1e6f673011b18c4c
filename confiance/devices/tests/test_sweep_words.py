"""The sweep's terminal line names the security findings in words, never as enum reprs."""

from confiance.devices.choices import SecurityEventKind
from confiance.devices.management.commands.devices_sweep import security_words


def test_findings_in_words():
    text = security_words({SecurityEventKind.FIRMWARE_OUTDATED: 1, SecurityEventKind.DEFAULT_CREDENTIALS: 0,
                           "flooding": 2})
    assert text == "Micrologiciel non à jour : 1, Capteur qui inonde : 2"
    assert "SecurityEventKind" not in text


def test_nothing_found_and_module_absent():
    assert security_words({}) == "rien à signaler"
    assert security_words(None) == "module absent"
