"""Fast membership tests on integer keys (company ids, company-quarter-kind codes).

Why not `np.isin` / `np.unique` everywhere: on a million activities they hash or sort every call
(tens of milliseconds each), and a filter change calls them many times. Our keys are small
non-negative integers (database ids), so an array indexed by the key answers in one gather;
keys too large for that fall back to a sorted array and a binary search.
"""

from __future__ import annotations

import numpy as np

DENSE_LIMIT = 50_000_000  # keys below this use a key-indexed bool array (at most 50 MB)


class KeySet:
    """A set of int64 keys with a vectorised `contains`."""

    def __init__(self, keys: np.ndarray) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        self._dense: np.ndarray | None = None
        self._sorted: np.ndarray | None = None
        if len(keys) == 0 or (keys.min() >= 0 and keys.max() < DENSE_LIMIT):
            self._dense = np.zeros(int(keys.max(initial=-1)) + 1, dtype=bool)
            self._dense[keys] = True
        else:
            self._sorted = np.unique(keys)

    def contains(self, wanted: np.ndarray) -> np.ndarray:
        wanted = np.asarray(wanted, dtype=np.int64)
        if self._dense is not None:
            inside = (wanted >= 0) & (wanted < len(self._dense))
            result = np.zeros(len(wanted), dtype=bool)
            result[inside] = self._dense[wanted[inside]]
            return result
        assert self._sorted is not None
        if len(self._sorted) == 0:
            return np.zeros(len(wanted), dtype=bool)
        index = np.minimum(np.searchsorted(self._sorted, wanted), len(self._sorted) - 1)
        return self._sorted[index] == wanted

    def members(self) -> np.ndarray:
        """The keys, sorted and unique."""
        if self._dense is not None:
            return np.flatnonzero(self._dense).astype(np.int64)
        assert self._sorted is not None
        return self._sorted


def company_mask(ids: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """For each id in `ids`, whether it is in `keep`."""
    return KeySet(keep).contains(ids)
