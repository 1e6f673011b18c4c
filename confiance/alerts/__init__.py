"""Population alerts: CAP 1.2 authoring with two-person approval, CAP in, subscriptions, geo-targeted delivery."""
