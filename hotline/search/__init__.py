"""Chinese full-text search for the knowledge base (§4.2 c; SPEC §8).

Pure Python on numpy/scipy: no Django, no database.  The ``hotline.knowledge`` app keeps
one ``Engine`` per process, builds it from its entries (or loads a saved index), calls
``add``/``remove`` when an entry is edited and ``search`` while the agent types.
"""

from .analysis import Analyzer
from .engine import Engine, Hit, IndexMismatchError, Params, entry_fields

__all__ = ["Analyzer", "Engine", "Hit", "IndexMismatchError", "Params", "entry_fields"]
