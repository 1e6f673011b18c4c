"""Gateways' HTTP batches: who is sending (token), and the two payloads accepted (platform JSON, SenML)."""
