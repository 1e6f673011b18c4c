"""Writes of police operations, one module per aggregate: logbook, interventions, units (statuses, assignments,
milestones), positions (fixes, trackers). Import from the module itself."""
