"""Growing the facet snapshot's arrays without copying what the snapshot files already hold."""

from collections.abc import Callable

import numpy as np

# The whole array of that name mapped from the snapshot files, room after the snapshot's part
# included, or None (see ``appended``).
Room = Callable[[str], np.ndarray | None]


def no_room(name: str) -> None:
    return None


def appended(values: np.ndarray, extra: np.ndarray, room: np.ndarray | None) -> np.ndarray:
    """``values`` then ``extra``. When ``values`` is the start of ``room``, an array mapped
    copy-on-write from the snapshot files with room left after it, ``extra`` is written there:
    only the pages written become this process's own, where a new array would copy them all
    (150 MB and more per worker at 1,000,000 records)."""
    end = len(values) + len(extra)
    if room is not None and len(room) >= end and room.ctypes.data == values.ctypes.data:
        room[len(values) : end] = extra
        return room[:end]
    return np.concatenate([values, extra])
