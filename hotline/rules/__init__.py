"""The standard as code: pure Python, no Django, no clock, no database.

Modules: ``calendar`` (working days), ``deadlines`` (time limits of §6.2/§6.4),
``lifecycle`` (states and the transition table), ``screening`` (§5.3, §6.4.4, §6.6.3),
``taxonomy`` (channels, types, domains, urgency, methods).
"""
