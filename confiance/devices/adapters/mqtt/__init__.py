"""MQTT ingestion: the worker behind `confiance devices ingest` (docs/devices.md "MQTT", ADR 0010)."""
