from ninja import Router
from ninja.pagination import paginate

from confiance.core.errors import PermissionDeniedError
from confiance.core.parsing import BoundedPagination
from confiance.privacy.choices import AUDIT_VIEW_PERMISSION
from confiance.privacy.journal_verify import verify_chain
from confiance.privacy.schemas import AuditEntryOut, ChainReportOut
from confiance.privacy.selectors import audit_list_for_actor

router = Router(tags=["vie privée"])


@router.get("/audit", response=list[AuditEntryOut], summary="Journal d'audit (DPO, administrateur)")
@paginate(BoundedPagination)
def audit(request, action: str = "", target_type: str = "", target_id: str = "", kind: str = ""):
    if not request.auth.can_anywhere(AUDIT_VIEW_PERMISSION):
        raise PermissionDeniedError()
    return audit_list_for_actor(actor=request.auth, action=action, target_type=target_type,
                                target_id=target_id, kind=kind)


@router.get("/audit/verify", response=ChainReportOut, summary="Vérifier le chaînage du journal")
def audit_verify(request):
    if not request.auth.can_anywhere(AUDIT_VIEW_PERMISSION):
        raise PermissionDeniedError()
    report = verify_chain()
    return {"ok": report.ok, "checked": report.checked,
            "first_broken_sequence": report.first_broken_sequence, "reason": report.reason,
            "chains": [{"chain": chain.chain, "checked": chain.checked,
                        "first_broken_sequence": chain.first_broken_sequence, "reason": chain.reason}
                       for chain in report.chains]}
