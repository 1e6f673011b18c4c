"""Hypervision: sensors and gateways, ingestion (MQTT, HTTP, NGSI-LD), measurements, rules, alarms, device health."""
