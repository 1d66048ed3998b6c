"""The intelligence core: suggestions from the text of an appeal.  Pure Python, no Django.

Suggestions never decide alone (SPEC §9): every function returns ranked candidates with a
confidence and the words that produced them, for a person to confirm.

Modules:

* ``classifier`` — trainable text classifier for any label set (save/load a directory).
* ``defaults``   — the shipped domain (§5.4.2) and type (§5.4.1) models, trained from the
  seed appeals in ``seed/`` on first use and cached; sub-category suggestion.
* ``screening``  — urgency (§6.1.7), emergency kind (§6.4.4), not-accepted reason (§5.3).
* ``extract``    — §6.1.6 elements: phones, times, places, and the area they resolve to.
* ``dedup``      — near-duplicate open orders and "same citizen, same fact again" (§6.6.3 c).
* ``intake``     — all suggestions for one appeal, for the intake form.
* ``cli``        — ``hotline model train|evaluate``.

Heavy imports (numpy, scikit-learn) happen inside the modules that need them; call
:func:`hotline.nlp.defaults.warm` in a worker or at start-up to pay load costs up front.
"""
