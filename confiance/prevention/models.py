"""Models of the prevention app."""
