"""Pause Python's cyclic garbage collector while an import builds its many small objects.

Reading, checking and writing 50,000 rows allocates millions of dicts and tuples that live until
the import ends; the collector rescans them again and again, which cost ~10-20% of an import
(benchmarks/import_rows.py). Reference counting still frees everything as usual; cycles are
collected once the last running import is done. Nested and concurrent imports are counted, so
the collector is switched back on only by the last one, and only if it was on before."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
