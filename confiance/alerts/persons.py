"""How a rights request finds a person in population alerts: the subscribers, by e-mail or mobile number (no name
is ever asked of them). Erasure ends the subscription and erases its contacts and point at once (consent
withdrawn, art. 17-1-b GDPR)."""

from __future__ import annotations

import contextlib

from django.db.models import Count, Q
from django.db.models.functions import Lower

from confiance.alerts.delivery_choices import Channel, DeliveryStatus
from confiance.alerts.delivery_errors import SubscriptionError
from confiance.alerts.models import Subscriber
from confiance.alerts.subscriptions import normalised_phone, subscription_erase
from confiance.privacy.processing import PersonFinder, PersonMatch, phone_variants, register_person_finder

MATCH_LIMIT = 500


def _phones(phone: str) -> list[str]:
    variants = set(phone_variants(phone))
    with contextlib.suppress(SubscriptionError):
        variants.add(normalised_phone(phone))
    return sorted(variant for variant in variants if variant)


def find(*, email: str = "", phone: str = "", name: str = "", commune_ids=()) -> list[PersonMatch]:
    criteria = Q()
    if email.strip():
        criteria |= Q(mail=email.strip().lower())
    if phone.strip() and _phones(phone):
        criteria |= Q(phone__in=_phones(phone))
    if not criteria:
        return []  # subscribers give no name
    subscribers = (Subscriber.objects.alias(mail=Lower("email")).filter(criteria, commune_id__in=list(commune_ids))
                   .select_related("commune", "sector")
                   .annotate(received=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)))
                   .order_by("pk")[:MATCH_LIMIT])
    labels = dict(Channel.choices)
    matches = []
    for subscriber in subscribers:
        channels = ", ".join(str(labels[channel]) for channel in subscriber.channels()) or "aucun canal confirmé"
        where = (f"secteur {subscriber.sector.name}" if subscriber.sector_id and subscriber.sector
                 else "point d'une adresse" if subscriber.lat is not None else "lieu non précisé")
        matches.append(PersonMatch(
            source="Abonnement aux alertes", reference=subscriber.token[:8], commune_id=subscriber.commune_id,
            summary=f"Abonné aux alertes de {subscriber.commune.name} depuis le {subscriber.created_at:%d/%m/%Y} "
                    f"({subscriber.get_status_display()}, {channels}, {where})",
            data={"courriel": subscriber.email, "téléphone": subscriber.phone,
                  "notification web": "oui" if subscriber.push_endpoint else "non",
                  "latitude": subscriber.lat, "longitude": subscriber.lon,
                  "secteur": subscriber.sector.name if subscriber.sector else "",
                  "état": str(subscriber.get_status_display()),
                  "abonné le": subscriber.created_at.isoformat(),
                  "confirmé le": subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                  "messages d'alerte reçus": subscriber.received},
            model="alerts.Subscriber", pk=subscriber.pk))
    return matches


def erase(match: PersonMatch) -> None:
    if match.model == "alerts.Subscriber":
        subscription_erase(actor=None, subscriber_id=match.pk)


register_person_finder(PersonFinder(key="alerts", label="Alertes à la population (abonnements)", find=find,
                                    erase=erase))
