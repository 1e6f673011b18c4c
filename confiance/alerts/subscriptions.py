"""Subscriptions of inhabitants to population alerts: request, double opt-in, one-click unsubscription.

A request keeps only what delivery needs: the point of the address (not the address), or the sector; the e-mail
address and the mobile number given; a push subscription of this browser. Each contact is used only once confirmed:
the e-mail by the link sent to it, the number by the 6-digit code sent to it by SMS (a push subscription is the
browser's own consent). Every message carries a signed one-click unsubscription link; unsubscribing erases the
contacts at once, and the retention rule "alerts.subscriptions.unsubscribed" deletes the row later.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.alerts.channels import sms
from confiance.alerts.delivery_choices import Channel, SubscriberStatus, SubscriptionErrorCode
from confiance.alerts.delivery_errors import SubscriptionError
from confiance.alerts.models import Subscriber
from confiance.core.geo import h3_cell, valid_lat_lon
from confiance.privacy.services import audit_record
from confiance.territory.models import Sector
from confiance.territory.selectors import locate_point

CONFIRM_SALT = "alerts.subscription.confirm"
UNSUBSCRIBE_SALT = "alerts.subscription.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600
MAX_CODE_ATTEMPTS = 5
PHONE = re.compile(r"^\+?[0-9]{9,15}$")


@dataclass(frozen=True)
class SubscriptionRequest:
    """What the form or the API parsed: a point or a sector, and contacts."""

    lat: float | None = None
    lon: float | None = None
    sector_id: int | None = None
    email: str = ""
    phone: str = ""
    push_endpoint: str = ""
    push_p256dh: str = ""
    push_auth: str = ""


def normalised_phone(raw: str) -> str:
    """A French mobile number as +33XXXXXXXXX (06/07 or +33 forms), other international numbers as +digits."""
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    if not digits:
        return ""
    if not PHONE.match(digits):
        raise SubscriptionError(SubscriptionErrorCode.INVALID, _("Numéro de téléphone mobile invalide."),
                                details={"field": "phone"})
    if digits.startswith("0") and len(digits) == 10:
        digits = "+33" + digits[1:]
    if not digits.startswith("+"):
        digits = "+" + digits
    return digits


def signed_token(subscriber: Subscriber, salt: str) -> str:
    return signing.dumps(subscriber.token, salt=salt, compress=False)


@lru_cache(maxsize=4)
def _unsubscribe_prefix(public_url: str) -> tuple[str, str]:
    marker = "SIGNED-TOKEN"
    head, _, tail = reverse("alerts:unsubscribe", args=[marker]).partition(marker)
    return public_url.rstrip("/") + head, tail


def unsubscribe_url(subscriber: Subscriber) -> str:
    """The signed one-click link (the URL pattern is resolved once: this runs for every message sent)."""
    head, tail = _unsubscribe_prefix(settings.CONFIANCE_PUBLIC_URL)
    return head + signed_token(subscriber, UNSUBSCRIBE_SALT) + tail


def confirm_url(subscriber: Subscriber) -> str:
    path = reverse("alerts:subscription-confirm", args=[signed_token(subscriber, CONFIRM_SALT)])
    return settings.CONFIANCE_PUBLIC_URL.rstrip("/") + path


def _code_hash(subscriber_token: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{subscriber_token}:{code}".encode(), hashlib.sha256).hexdigest()


def _place(request: SubscriptionRequest) -> dict:
    """Commune, point, cell and sector of the request, or a refusal saying why."""
    if request.sector_id is not None:
        sector = Sector.objects.filter(pk=request.sector_id).select_related("commune").first()
        if sector is None:
            raise SubscriptionError(SubscriptionErrorCode.INVALID, _("Secteur inconnu."), details={"field": "sector"})
        return {"commune_id": sector.commune_id, "sector_id": sector.pk, "lat": None, "lon": None, "h3_cell": ""}
    if request.lat is None or request.lon is None or not valid_lat_lon(request.lat, request.lon):
        raise SubscriptionError(SubscriptionErrorCode.INVALID, _("Choisissez une adresse ou un secteur."),
                                details={"field": "address"})
    location = locate_point(lat=request.lat, lon=request.lon)
    if location.commune_id is None:
        raise SubscriptionError(SubscriptionErrorCode.OUTSIDE, _("Ce lieu est hors du territoire servi."),
                                details={"field": "address"})
    return {"commune_id": location.commune_id, "sector_id": location.sector_id, "lat": round(request.lat, 6),
            "lon": round(request.lon, 6), "h3_cell": h3_cell(request.lat, request.lon)}


def _send_confirmation_email(subscriber: Subscriber) -> None:
    body = _("Bonjour,\n\nVous avez demandé à recevoir les alertes à la population de votre commune à cette "
             "adresse. Pour confirmer, ouvrez ce lien (valable 7 jours) :\n\n%(link)s\n\nSi vous n'avez rien "
             "demandé, ignorez ce message : sans confirmation, votre adresse sera effacée.\n") % {
        "link": confirm_url(subscriber)}
    EmailMessage(subject=_("Confirmez votre abonnement aux alertes"), body=body, to=[subscriber.email],
                 from_email=settings.DEFAULT_FROM_EMAIL).send(fail_silently=True)


def _send_code(subscriber: Subscriber, code: str) -> None:
    text = _("Alertes de votre commune : votre code de confirmation est %(code)s.") % {"code": code}
    with contextlib.suppress(Exception):  # the inhabitant can ask again; the page says a code was sent
        sms.backend().send(phone=subscriber.phone, text=text, key=f"confirmation-{subscriber.token}")


@transaction.atomic
def subscription_request(*, request: SubscriptionRequest) -> tuple[Subscriber, str]:
    """Record a pending subscription and send its confirmations; the subscriber and the SMS code's page token."""
    email = (request.email or "").strip().lower()[:254]
    phone = normalised_phone(request.phone)
    if not (email or phone or request.push_endpoint):
        raise SubscriptionError(SubscriptionErrorCode.INVALID,
                                _("Donnez au moins un moyen de vous prévenir : courriel, SMS ou notification."),
                                details={"field": "channels"})
    if request.push_endpoint:
        _check_push(request)
    place = _place(request)
    code = f"{secrets.randbelow(1_000_000):06d}" if phone else ""
    subscriber = Subscriber(token=secrets.token_hex(16), email=email, phone=phone, **place)
    if code:
        subscriber.sms_code_hash = _code_hash(subscriber.token, code)
    if request.push_endpoint:
        subscriber.push_endpoint, subscriber.push_p256dh, subscriber.push_auth = (
            request.push_endpoint, request.push_p256dh, request.push_auth)
        subscriber.status, subscriber.confirmed_at = SubscriberStatus.ACTIVE, timezone.now()
    subscriber.save()
    audit_record(actor=None, action="alerts.subscription.request", target=subscriber,
                 commune_id=subscriber.commune_id, extra={"channels": _asked(subscriber)})
    if email:
        transaction.on_commit(lambda: _send_confirmation_email(subscriber))
    if code:
        transaction.on_commit(lambda: _send_code(subscriber, code))
    return subscriber, signed_token(subscriber, CONFIRM_SALT)


def _asked(subscriber: Subscriber) -> list[str]:
    asked = [Channel.EMAIL.value] if subscriber.email else []
    asked += [Channel.SMS.value] if subscriber.phone else []
    return asked + ([Channel.PUSH.value] if subscriber.push_endpoint else [])


def _check_push(request: SubscriptionRequest) -> None:
    from confiance.operations.errors import OperationsError
    from confiance.operations.push import _check_subscription

    try:
        _check_subscription(request.push_endpoint, request.push_p256dh, request.push_auth)
    except OperationsError as error:
        raise SubscriptionError(SubscriptionErrorCode.INVALID, error.message, details={"field": "push"}) from None


def subscriber_from_link(signed: str, *, salt: str, max_age: int | None = None) -> Subscriber:
    """The subscriber a signed link names, or a refusal (altered, expired, or already purged)."""
    try:
        token = signing.loads(signed[:200], salt=salt, max_age=max_age)
    except signing.BadSignature:
        raise SubscriptionError(SubscriptionErrorCode.LINK_INVALID, _("Ce lien est invalide ou a expiré."),
                                status_code=404) from None
    subscriber = Subscriber.objects.filter(token=str(token)).first()
    if subscriber is None or subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        raise SubscriptionError(SubscriptionErrorCode.LINK_INVALID, _("Cet abonnement n'existe plus."),
                                status_code=404)
    return subscriber


def _activate(subscriber: Subscriber, now, fields: list[str]) -> None:
    if subscriber.status == SubscriberStatus.PENDING:
        subscriber.status, subscriber.confirmed_at = SubscriberStatus.ACTIVE, now
        fields += ["status", "confirmed_at"]
    subscriber.save(update_fields=fields)


@transaction.atomic
def subscription_confirm_email(*, signed: str) -> Subscriber:
    """The e-mail link was opened: the address is confirmed (again: nothing changes)."""
    subscriber = subscriber_from_link(signed, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if subscriber.email and subscriber.email_confirmed_at is None:
        now = timezone.now()
        subscriber.email_confirmed_at = now
        _activate(subscriber, now, ["email_confirmed_at"])
        audit_record(actor=None, action="alerts.subscription.confirm", target=subscriber,
                     commune_id=subscriber.commune_id, extra={"channel": Channel.EMAIL.value})
    return subscriber


@transaction.atomic
def subscription_confirm_code(*, signed: str, code: str) -> Subscriber:
    """The SMS code typed: the number is confirmed; five wrong codes end the number's confirmation."""
    subscriber = subscriber_from_link(signed, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    subscriber = Subscriber.objects.select_for_update(no_key=True).get(pk=subscriber.pk)
    if subscriber.phone_confirmed_at is not None:
        return subscriber
    code = re.sub(r"\s", "", code or "")[:12]
    if (not subscriber.sms_code_hash or subscriber.sms_code_attempts >= MAX_CODE_ATTEMPTS
            or not hmac.compare_digest(subscriber.sms_code_hash, _code_hash(subscriber.token, code))):
        subscriber.sms_code_attempts = min(subscriber.sms_code_attempts + 1, 100)
        subscriber.save(update_fields=["sms_code_attempts"])
        raise SubscriptionError(SubscriptionErrorCode.CODE_INVALID, _("Code incorrect ou expiré."),
                                details={"field": "code"})
    now = timezone.now()
    subscriber.phone_confirmed_at, subscriber.sms_code_hash = now, ""
    _activate(subscriber, now, ["phone_confirmed_at", "sms_code_hash"])
    audit_record(actor=None, action="alerts.subscription.confirm", target=subscriber,
                 commune_id=subscriber.commune_id, extra={"channel": Channel.SMS.value})
    return subscriber


@transaction.atomic
def subscription_unsubscribe(*, signed: str) -> Subscriber:
    """One click: the subscription ends and its contacts are erased at once (the row is purged later)."""
    subscriber = subscriber_from_link(signed, salt=UNSUBSCRIBE_SALT)
    _end(subscriber)
    audit_record(actor=None, action="alerts.subscription.unsubscribe", target=subscriber,
                 commune_id=subscriber.commune_id)
    return subscriber


def _end(subscriber: Subscriber) -> None:
    subscriber.status, subscriber.unsubscribed_at = SubscriberStatus.UNSUBSCRIBED, timezone.now()
    subscriber.email = subscriber.phone = subscriber.sms_code_hash = ""
    subscriber.push_endpoint = subscriber.push_p256dh = subscriber.push_auth = ""
    subscriber.lat = subscriber.lon = None
    subscriber.h3_cell = ""
    subscriber.save()


@transaction.atomic
def subscription_erase(*, actor, subscriber_id: int) -> None:
    """A DPO's erasure (rights request): the subscription ends as by unsubscription, contacts and point erased at
    once; the row goes with the retention rule. Nothing if it is gone already."""
    subscriber = Subscriber.objects.select_for_update(no_key=True).filter(pk=subscriber_id).first()
    if subscriber is None:
        return
    _end(subscriber)
    audit_record(actor=actor, action="alerts.subscription.erase", target=subscriber,
                 commune_id=subscriber.commune_id)
