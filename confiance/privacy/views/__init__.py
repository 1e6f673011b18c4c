"""The DPO's and the RSSI's pages (console side), and the public transparency page (portal side)."""
