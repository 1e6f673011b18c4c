"""Writes of population alerts: authoring (authoring.py), approval and publication (publication.py), CAP in
(incoming.py)."""
