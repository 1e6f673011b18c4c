"""A stand-in for a new domain app that publishes live events (installed only by test_live_rules)."""
