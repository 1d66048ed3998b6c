"""Helpers shared by several apps and adapters.  Imports Django, ``hotline.rules`` and
``hotline.clock`` only, never an app or an adapter, so anything may depend on it without
making a cycle.  An app (label ``common``) only for the rate-limit table."""
