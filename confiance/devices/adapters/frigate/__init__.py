"""Frigate NVR adapter: its MQTT `frigate/events` and `frigate/reviews` messages, read into stripped drafts."""
