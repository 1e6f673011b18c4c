"""Crisis test fixtures: the operations world (Mennecy, Ormoy) plus a commune outside any crisis, a flood alarm in
each of the first two, and the people who declare and follow crises."""

from __future__ import annotations

from dataclasses import dataclass

from confiance.accounts.access import Actor
from confiance.devices.choices import AlarmState, Quantity, RuleKind, Severity
from confiance.devices.models import Alarm, Rule
from confiance.devices.tests.factories import make_device
from confiance.operations.services.interventions import intervention_create
from confiance.operations.tests.factories import OpsWorld, call, configure_commune, make_actor, make_ops_world
from confiance.territory.models import Commune
from confiance.territory.tests.factories import make_commune

# A square over Mennecy's west half only (Mennecy is 2.40..2.42 x 48.55..48.57 in the operations world).
ZONE_OVER_MENNECY = {"type": "Polygon", "coordinates": [[[2.401, 48.551], [2.409, 48.551], [2.409, 48.559],
                                                          [2.401, 48.559], [2.401, 48.551]]]}
# A band across the border of Mennecy and Ormoy.
ZONE_ACROSS = {"type": "Polygon", "coordinates": [[[2.415, 48.56], [2.45, 48.56], [2.45, 48.59], [2.415, 48.59],
                                                    [2.415, 48.56]]]}


@dataclass
class CrisisWorld:
    ops: OpsWorld
    outside: Commune
    chef_both: Actor  # chef de poste of Mennecy and Ormoy
    elected: Actor  # élu of Mennecy
    other_operator: Actor  # operator of Ormoy
    outsider_operator: Actor  # operator of the commune outside the crisis
    outsider_chef: Actor
    technician: Actor  # technical agent of Mennecy (follows crises, no police files)
    dpo: Actor
    alarms: list[Alarm]


def make_flood_alarm(commune: Commune, identifier: str) -> Alarm:
    device = make_device(commune, identifier)
    rule = Rule.objects.create(commune=commune, name=f"Crue {commune.name}", kind=RuleKind.THRESHOLD,
                               quantity=Quantity.WATER_LEVEL, device=device, threshold=2.0)
    return Alarm.objects.create(commune=commune, rule=rule, device=device, subject=f"device:{device.pk}",
                                severity=Severity.MAJOR, state=AlarmState.RAISED, message="Crue", value=2.4)


def make_crisis_world() -> CrisisWorld:
    ops = make_ops_world()
    outside = make_commune(lon=2.50, lat=48.50, insee_code="91244", name="Fontenay-le-Vicomte")
    configure_commune(outside, " (Fontenay)")
    intervention_create(actor=ops.operator, commune_id=ops.commune.pk, draft=call(ops))
    alarms = [make_flood_alarm(ops.commune, "essonne-mennecy"), make_flood_alarm(ops.other, "essonne-ormoy"),
              make_flood_alarm(outside, "essonne-fontenay")]
    return CrisisWorld(
        ops=ops, outside=outside,
        chef_both=make_actor(communes=[ops.commune, ops.other], role="shift_supervisor"),
        elected=ops.elected, other_operator=ops.other_operator,
        outsider_operator=make_actor(communes=[outside], role="csu_operator"),
        outsider_chef=make_actor(communes=[outside], role="shift_supervisor"),
        technician=make_actor(communes=[ops.commune], role="technical_agent"),
        dpo=make_actor(communes=[ops.commune], role="dpo"),
        alarms=alarms,
    )
