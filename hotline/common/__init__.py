"""Helpers shared by several apps and adapters.  Imports Django and ``hotline.rules`` only,
never an app or an adapter, so anything may depend on it without making a cycle."""
