"""Pages of population alerts: the agents' pages (agents.py) and the public ones (public.py)."""
