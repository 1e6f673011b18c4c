"""Writes of the reports app, one module per aggregate: submission, handling, follow_up, sweeps, client_applications."""
