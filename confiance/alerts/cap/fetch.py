"""Fetching a CAP message or feed by URL: the local network only (loopback, private, link-local addresses), no
redirect, bounded size and time. A public address is refused: this is no way out of an isolated network."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpx

from confiance.alerts.cap.xml import MAX_FEED_BYTES
from confiance.alerts.errors import AlertsError, AlertsErrorCode

TIMEOUT_S = 10.0


def _refuse(message: str) -> AlertsError:
    return AlertsError(AlertsErrorCode.SOURCE_REFUSED, message)


def local_address(host: str, port: int) -> str:
    """The host's address if every address it resolves to is on the local network; refused otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise _refuse(f"Hôte inconnu : {host[:100]}") from exc
    addresses = {info[4][0] for info in infos}
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not (ip.is_private or ip.is_loopback or ip.is_link_local) or ip.is_multicast or ip.is_unspecified:
            raise _refuse(f"Adresse hors du réseau local refusée : {address}")
    return sorted(addresses)[0]


def fetch_local(url: str) -> bytes:
    """The body at a local-network http(s) URL, at most MAX_FEED_BYTES."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refuse("Adresse http(s) attendue.")
    if parts.username or parts.password:
        raise _refuse("Adresse avec identifiants refusée.")
    local_address(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    try:
        with httpx.Client(follow_redirects=False, timeout=TIMEOUT_S, trust_env=False) as client, \
                client.stream("GET", url, headers={"Accept": "application/cap+xml, application/atom+xml"}) as response:
            if response.status_code != 200:
                raise _refuse(f"Réponse {response.status_code} de {parts.hostname}.")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_FEED_BYTES:
                    raise AlertsError(AlertsErrorCode.CAP_TOO_LARGE, "Document trop volumineux.")
            return bytes(body)
    except httpx.HTTPError as exc:
        raise _refuse(f"Lecture impossible : {exc.__class__.__name__}") from exc
