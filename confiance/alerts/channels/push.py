"""Web Push channel, with the installation's VAPID keys of the field page (operations/push.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.conf import settings

from confiance.alerts.channels import Outgoing, Report

TTL_SECONDS = 6 * 3600


def send_batch(items: Sequence[Outgoing], report: Report) -> None:
    from pywebpush import WebPushException, webpush

    from confiance.operations.push import vapid_key

    key = vapid_key()
    for item in items:
        p256dh, auth = item.push_keys
        payload = {"title": item.subject, "body": item.short_text[:300], "tag": item.key.rsplit("-", 1)[0],
                   "url": item.url}
        try:
            webpush(subscription_info={"endpoint": item.address, "keys": {"p256dh": p256dh, "auth": auth}},
                    data=json.dumps(payload, ensure_ascii=False), vapid_private_key=key,
                    vapid_claims={"sub": settings.CONFIANCE_VAPID_SUBJECT}, ttl=TTL_SECONDS, timeout=10,
                    headers={"Topic": item.key.replace("-", "")[:32], "Urgency": "high"})
        except WebPushException as error:
            status = error.response.status_code if error.response is not None else 0
            report(item, f"service de notification : {status}")
            continue
        except Exception as error:
            report(item, str(error)[:300] or error.__class__.__name__)
            continue
        report(item, None)
