"""The rule states' hand-written upsert against the ORM: the same rows as `update_or_create`, new and existing."""

from datetime import timedelta

import pytest

from confiance.devices.models import RuleState
from confiance.devices.sql import upsert_rule_states
from confiance.devices.tests.rules_helpers import T0, make_rule

pytestmark = pytest.mark.django_db


def _rows():
    return sorted(RuleState.objects.values_list("rule_id", "subject", "condition_since", "last_value", "last_at"))


def test_upsert_matches_the_orm(world):
    rule, other = make_rule(world.commune), make_rule(world.commune, name="Autre")
    RuleState.objects.create(rule=rule, subject="device:1", condition_since=T0, last_value=3.0, last_at=T0)
    wanted = [(rule.pk, "device:1", None, 1.0, T0 + timedelta(seconds=5)),
              (other.pk, "zone:2", T0, 2.5, T0 + timedelta(seconds=7)),
              (rule.pk, "device:3", None, None, None)]
    upsert_rule_states(wanted)
    by_sql = _rows()
    RuleState.objects.all().delete()
    RuleState.objects.create(rule=rule, subject="device:1", condition_since=T0, last_value=3.0, last_at=T0)
    for rule_id, subject, since, value, at in wanted:
        RuleState.objects.update_or_create(rule_id=rule_id, subject=subject, defaults={
            "condition_since": since, "last_value": value, "last_at": at})
    assert by_sql == _rows() == sorted(wanted)
