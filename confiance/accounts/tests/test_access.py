"""Actor answers the same for a permission's plain string value as for its enum member."""

import pytest

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission, Role
from confiance.accounts.tests.factories import make_agent
from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.territory import choices as territory_choices
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db


def _outcome(actor: Actor, permission: Permission | str, commune_id: int | None) -> type[Exception] | None:
    try:
        actor.require(permission, commune_id)
    except (PermissionDeniedError, NotFoundError) as error:
        return type(error)
    return None


@pytest.mark.parametrize("role", [Role.POLICE_AGENT, Role.TECHNICAL_AGENT, Role.SHIFT_SUPERVISOR])
def test_a_plain_string_permission_gets_the_same_answers_as_the_enum_member(role):
    mine, other = make_commune(), make_commune()
    actor = Actor(agent=make_agent(communes=[mine], role=role, password=None))
    for permission in Permission:
        value = str(permission.value)
        assert type(value) is str
        assert actor.commune_ids(value) == actor.commune_ids(permission)
        assert actor.can_anywhere(value) == actor.can_anywhere(permission)
        for commune_id in (mine.pk, other.pk, None):
            assert actor.can(value, commune_id) == actor.can(permission, commune_id)
            assert _outcome(actor, value, commune_id) == _outcome(actor, permission, commune_id)


@pytest.mark.parametrize(("member", "constant"), [
    (Permission.TERRITORY_VIEW, "TERRITORY_VIEW_PERMISSION"),
    (Permission.TERRITORY_MANAGE, "TERRITORY_MANAGE_PERMISSION"),
    (Permission.LIVE_VIEW, "LIVE_VIEW_PERMISSION"),
    (Permission.CRISIS_DECLARE, "CRISIS_DECLARE_PERMISSION"),
    (Permission.CRISIS_VIEW, "CRISIS_VIEW_PERMISSION"),
])
def test_the_permissions_territory_checks_are_accounts_members(member, constant):
    assert getattr(territory_choices, constant) == member
