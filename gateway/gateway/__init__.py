"""The gateway: the portal's only HTTP entry point (JSON API, family pages)."""
