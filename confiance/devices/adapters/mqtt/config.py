"""What the MQTT worker connects to and listens on: the broker URL, the topic layout, the session and batch sizes.

Topics are `<prefix>/<device identifier>/up` (prefix `confiance/v1` by default); the worker subscribes to
`$share/<group>/<prefix>/+/up`, so every worker of the group gets its share of the stream and each message reaches
one worker of the group. With a Frigate prefix (`frigate` by default), the worker also subscribes to Frigate's
`<prefix>/events` and `<prefix>/reviews` (video analytics, adapters/frigate/), shared the same way.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.db import connection

DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}
# Messages per transaction when the settings say 0 (ADR 0021): SQLite's one writer makes the web's writes wait for
# each batch; PostgreSQL's row locks do not, and a batch's per-device costs are then paid once for more messages.
SQLITE_BATCH_SIZE = 1000
POSTGRESQL_BATCH_SIZE = 4000


@dataclass(frozen=True)
class MqttConfig:
    host: str
    port: int = 1883
    tls: bool = False
    username: str | None = None
    password: str | None = None
    client_id: str = "confiance-ingest"
    prefix: str = "confiance/v1"
    frigate_prefix: str = ""  # "" : no video-analytics subscription (the settings give "frigate")
    share_group: str = "confiance"  # "" for a plain subscription (one worker, or tests)
    session_expiry_s: int = 7 * 24 * 3600
    batch_size: int = 1000
    batch_ms: int = 50
    receive_maximum: int = 2000
    store_threads: int = 0  # batches stored at once; 0: two on PostgreSQL, one on SQLite
    keepalive_s: int = 30
    reconnect_min_s: int = 1
    reconnect_max_s: int = 30

    @property
    def topic_filter(self) -> str:
        plain = f"{self.prefix}/+/up"
        return f"$share/{self.share_group}/{plain}" if self.share_group else plain

    @property
    def topic_filters(self) -> list[str]:
        """The measurements' filter, then Frigate's events and reviews (shared the same way)."""
        share = f"$share/{self.share_group}/" if self.share_group else ""
        if not self.frigate_prefix:
            return [self.topic_filter]
        return [self.topic_filter, *(f"{share}{self.frigate_prefix}/{kind}" for kind in ("events", "reviews"))]

    def video_kind_of(self, topic: str) -> str | None:
        """"events" or "reviews" for a Frigate topic, else None."""
        if not self.frigate_prefix or not topic.startswith(self.frigate_prefix + "/"):
            return None
        kind = topic[len(self.frigate_prefix) + 1:]
        return kind if kind in ("events", "reviews") else None

    def device_of(self, topic: str) -> str | None:
        """The device identifier a topic names, or None when it is not `<prefix>/<device>/up`."""
        head = self.prefix + "/"
        if not topic.startswith(head) or not topic.endswith("/up"):
            return None
        device = topic[len(head):-3]
        if not device or "/" in device:
            return None
        return device

    def with_changes(self, **changes) -> MqttConfig:
        return replace(self, **changes)


def parse_url(url: str) -> dict:
    """Host, port, TLS and credentials of `mqtt://user:password@host:port` (`mqtts://` for TLS)."""
    parts = urlparse(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError("mqtt://utilisateur:mot-de-passe@hôte:port attendu")
    return {"host": parts.hostname, "port": parts.port or DEFAULT_PORTS[parts.scheme], "tls": parts.scheme == "mqtts",
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None}


def from_settings(url: str | None = None, **overrides) -> MqttConfig:
    """The worker's configuration from the settings (docs/configuration.md), with a command's overrides."""
    url = url or settings.CONFIANCE_MQTT_URL
    if not url:
        raise ValueError("CONFIANCE_MQTT_URL n'est pas défini (mqtt://utilisateur:mot-de-passe@hôte:port).")
    values = {
        **parse_url(url),
        "client_id": settings.CONFIANCE_MQTT_CLIENT_ID or f"confiance-ingest-{socket.gethostname()}",
        "prefix": settings.CONFIANCE_MQTT_TOPIC_PREFIX,
        "frigate_prefix": getattr(settings, "CONFIANCE_FRIGATE_TOPIC_PREFIX", ""),
        "share_group": settings.CONFIANCE_MQTT_SHARE_GROUP,
        "session_expiry_s": settings.CONFIANCE_MQTT_SESSION_EXPIRY,
        "batch_size": settings.CONFIANCE_MQTT_BATCH_SIZE,
        "batch_ms": settings.CONFIANCE_MQTT_BATCH_MS,
        "receive_maximum": settings.CONFIANCE_MQTT_RECEIVE_MAXIMUM,
        "store_threads": settings.CONFIANCE_MQTT_STORE_THREADS,
    }
    values.update({key: value for key, value in overrides.items() if value is not None})
    postgresql = connection.vendor == "postgresql"
    if not values["batch_size"]:
        values["batch_size"] = POSTGRESQL_BATCH_SIZE if postgresql else SQLITE_BATCH_SIZE
    if not values["receive_maximum"]:
        values["receive_maximum"] = min(2 * values["batch_size"], 65535)
    return MqttConfig(**values)
