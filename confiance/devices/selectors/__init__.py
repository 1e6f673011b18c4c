"""Reads of hypervision, one module per concern (registry, measurements, alarms, health); each takes the actor."""
