"""Pages of reports: the agents' list, map and detail (agents), the citizens' form and follow-up (public)."""
