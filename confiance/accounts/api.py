from ninja import Router

from confiance.accounts.schemas import MeOut
from confiance.accounts.selectors import membership_list_for_actor
from confiance.territory.selectors import commune_codes

router = Router(tags=["agents"])


@router.get("/me", response=MeOut, summary="L'agent authentifié, ses affectations et ses permissions")
def me(request):
    actor = request.auth
    memberships = list(membership_list_for_actor(actor=actor))
    codes = commune_codes(commune_ids=set(actor.grants()))
    return {
        "username": actor.agent.username,
        "full_name": actor.agent.get_full_name(),
        "memberships": [
            {"commune_insee": m.commune.insee_code, "commune_name": m.commune.name, "role": m.role,
             "role_label": str(m.get_role_display())}
            for m in memberships
        ],
        "permissions": {codes[cid]: sorted(perms) for cid, perms in actor.grants().items() if cid in codes},
        "token": actor.token.prefix if actor.token else None,
    }
