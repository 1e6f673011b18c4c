"""Subscriptions and delivery reports under /api/v1/alerts-delivery: subscribe (public, rate-limited), confirm the
SMS code, unsubscribe; the delivery report of an alert for agents (ALERTS_VIEW)."""


from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from confiance.alerts.delivery_report import alert_for_report, delivery_report
from confiance.alerts.subscriptions import (
    SubscriptionRequest,
    subscription_confirm_code,
    subscription_request,
    subscription_unsubscribe,
)
from confiance.core.parsing import DbId
from confiance.core.ratelimits import rate_limited

router = Router(tags=["Alertes : abonnements et diffusion"])


class SubscriptionIn(Schema):
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    sector_id: int | None = Field(None, ge=1, lt=2**63)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=30)
    push_endpoint: str = Field("", max_length=1000)
    push_p256dh: str = Field("", max_length=100)
    push_auth: str = Field("", max_length=40)


class SubscriptionOut(Schema):
    status: str
    confirmation: str = Field(description="Jeton de la confirmation par code SMS (à renvoyer avec le code).")
    message: str


class CodeIn(Schema):
    confirmation: str = Field(max_length=200)
    code: str = Field(max_length=12)


class TokenIn(Schema):
    token: str = Field(max_length=200)


class DoneOut(Schema):
    status: str
    message: str


@router.post("/subscriptions", response={201: SubscriptionOut}, auth=None, url_name="alerts-subscribe",
             summary="S'abonner aux alertes (adresse localisée ou secteur)")
@rate_limited("alerts_subscribe")
def subscribe(request: HttpRequest, payload: SubscriptionIn):
    """A pending subscription: a link goes to the e-mail, a code to the mobile; a push subscription is active."""
    subscriber, signed = subscription_request(request=SubscriptionRequest(**payload.dict()))
    return Status(201, {"status": subscriber.status, "confirmation": signed,
                        "message": _("Confirmez votre abonnement avec le lien ou le code reçus.")})


@router.post("/subscriptions/code", response=DoneOut, auth=None, url_name="alerts-subscription-code",
             summary="Confirmer le numéro de mobile avec le code reçu par SMS")
@rate_limited("alerts_subscribe")
def confirm_code(request: HttpRequest, payload: CodeIn):
    subscriber = subscription_confirm_code(signed=payload.confirmation, code=payload.code)
    return {"status": subscriber.status, "message": _("Numéro confirmé.")}


@router.post("/unsubscribe", response=DoneOut, auth=None, url_name="alerts-unsubscribe",
             summary="Se désabonner (jeton du lien reçu dans chaque message)")
@rate_limited("alerts_subscribe")
def unsubscribe(request: HttpRequest, payload: TokenIn):
    subscriber = subscription_unsubscribe(signed=payload.token)
    return {"status": subscriber.status, "message": _("Désabonné : vos coordonnées sont effacées.")}


class ChannelCounts(Schema):
    queued: int
    sending: int
    sent: int
    failed: int
    total: int


class MinuteOut(Schema):
    minute: str
    sent: int
    email: int
    sms: int
    push: int


class ReportOut(Schema):
    alert_id: int
    targeted: int
    queued_at: str | None
    targeting_seconds: float | None
    channels: dict[str, ChannelCounts]
    sent: int
    failed: int
    minutes: list[MinuteOut]


@router.get("/alerts/{alert_id}/report", response=ReportOut, url_name="alerts-delivery-report",
            summary="Rapport de diffusion d'une alerte (visés, envoyés, échecs, par canal et par minute)")
def report(request: HttpRequest, alert_id: DbId):
    return delivery_report(alert=alert_for_report(actor=request.auth, alert_id=alert_id))
