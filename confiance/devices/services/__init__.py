"""Writes of hypervision, one module per aggregate: measurements (ingestion), registry, rules and alarms, health."""
