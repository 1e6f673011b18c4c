"""CAP 1.2 (OASIS Common Alerting Protocol): messages built from alerts, checked, read safely, and Atom feeds."""

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
