"""Custom NLU components for the Rapport engine: catalogue and pattern entity extractors.

Nothing here does I/O at import time; each component builds its spaCy objects in its
`create`/`load` factory.
"""
