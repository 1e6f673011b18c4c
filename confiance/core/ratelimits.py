"""Rate limits of anonymous and machine writes, counted by django-ratelimit in the cache.

Each limited interface has a name in `settings.CONFIANCE_RATE_LIMITS` with a rate per client address ("ip") and,
where the caller is known, per account ("account": an agent, a client application, a tracker, a gateway). The
counters live in the `ratelimit` cache: Redis when REDIS_URL is set (shared by every process), else the process's
memory. Each interface answers a refusal in its own format (the API's error shape, Open311, a French page).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from confiance.core.errors import ApplicationError, ErrorCode


@dataclass(frozen=True)
class Exceeded:
    """A limit was passed: which one, and in how many seconds its window ends."""

    scope: str
    retry_after: int


class RateLimitedError(ApplicationError):
    """Too many requests from this address or account (429, in the API's error shape)."""

    status_code = 429
    default_code = ErrorCode.RATE_LIMITED
    default_message = "Trop de requêtes."

    @classmethod
    def of(cls, exceeded: Exceeded) -> RateLimitedError:
        return cls(message=rate_message(exceeded), details={"scope": exceeded.scope,
                                                            "retry_after": exceeded.retry_after})


def rate_message(exceeded: Exceeded) -> str:
    return _("Trop de requêtes : réessayez dans %(seconds)s secondes.") % {"seconds": exceeded.retry_after}


def normalised_ip(raw: str) -> str:
    """The address counted: IPv6 by /64 (one subscriber), IPv4 as is; unreadable text as such (bounded)."""
    text = (raw or "").split(",")[0].strip()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text[:64] or "?"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def client_ip(request: Any) -> str:
    """The client's address: REMOTE_ADDR, or the header a trusted proxy sets (CONFIANCE_CLIENT_IP_META)."""
    meta_key = settings.CONFIANCE_CLIENT_IP_META
    return normalised_ip(request.META.get(meta_key or "REMOTE_ADDR", "") or request.META.get("REMOTE_ADDR", ""))


def scope_client_ip(scope: dict[str, Any]) -> str:
    """The client's address of a raw ASGI request, read as `client_ip` reads a Django request."""
    meta_key = settings.CONFIANCE_CLIENT_IP_META
    if meta_key and meta_key.startswith("HTTP_"):
        header = meta_key[5:].lower().replace("_", "-").encode("latin-1")
        for name, value in scope.get("headers", []):
            if name == header:
                return normalised_ip(value.decode("latin-1"))
    client = scope.get("client") or ("",)
    return normalised_ip(str(client[0] or ""))


def _count(name: str, scope: str, value: str, rate: str, increment: bool) -> Exceeded | None:
    usage = get_usage(None, group=f"{name}:{scope}", key=lambda _group, _request: value, rate=rate,
                      increment=increment)
    if usage is None or not usage["should_limit"]:
        return None
    return Exceeded(scope=scope, retry_after=max(1, int(usage["time_left"])))


def rate_check(name: str, *, ip: str = "", account: str = "", increment: bool = True) -> Exceeded | None:
    """Count one request of interface `name` from this address and account; the limit passed, if any."""
    limits = settings.CONFIANCE_RATE_LIMITS[name]
    for scope, value in (("ip", ip), ("account", account)):
        rate = limits.get(scope)
        if rate and value:
            exceeded = _count(name, scope, value, rate, increment)
            if exceeded is not None:
                return exceeded
    return None


def rate_limited_page(request: Any, exceeded: Exceeded) -> Any:
    """The French page of a refused form (429, with Retry-After)."""
    from django.shortcuts import render

    response = render(request, "rate_limited.html", {"retry_after": exceeded.retry_after}, status=429)
    response["Retry-After"] = str(exceeded.retry_after)
    return response


def rate_limited(name: str, *, account: Callable[[Any], str] | None = None) -> Callable:
    """Decorator of a django-ninja endpoint: 429 in the API's error shape past the limits of `name`.

    `account(request)` names the authenticated caller (run after authentication)."""
    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            exceeded = rate_check(name, ip=client_ip(request), account=account(request) if account else "")
            if exceeded is not None:
                raise RateLimitedError.of(exceeded)
            return view(request, *args, **kwargs)
        return wrapped
    return decorate
