"""Telematics: ISO 15143-3 fleet snapshots pulled from Trackunit into the assets (match, store, pull)."""
