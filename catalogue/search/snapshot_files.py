"""The facet snapshot as files that every worker of a machine maps instead of building its own.

One process (``manage.py search_snapshot``, started by gunicorn's master) builds the snapshot and
writes it here after each change; the workers map the newest files, so the operating system
keeps one copy of the arrays in memory for all of them, and a rebuild happens in that process
while the workers go on serving the files they have (decision record 0017).

A snapshot is a directory of ``.npy`` arrays and a ``snapshot.json``. It is written under a
temporary name and renamed, then the ``current`` link is replaced: a worker sees a whole
snapshot or the previous one, never a part.
"""

import contextlib
import ctypes
import fcntl
import gc
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connections

from catalogue.search.facet_index import (
    EditionArrays,
    EditionDay,
    FacetColumn,
    Snapshot,
    facet_index,
    latest_log_entry,
)
from catalogue.search.title_order import TitleOrder

logger = logging.getLogger(__name__)

CURRENT = "current"
META = "snapshot.json"
FORMAT = 3
# Workers may still be mapping the snapshot before the current one: it stays, older ones go.
KEPT = 2
# Rows an array has room for after its own (1% more, at least 1,000): the workers write the
# records changed since into it (``arrays.appended``), each page written becoming a copy of
# their own, where a new array would have copied the whole of it.
ROOM_SHARE = 100
ROOM_AT_LEAST = 1000
# The writer waits this many times as long as its last write took before it looks again.
WRITING_SHARE = 4
# Arrays whose rows can be added to; the others are rebuilt by each worker, or never change.
GROWING = ("ids", "modified", "numbers.", "editions.", "titles.ranks", "columns.")
# A column's pairs sorted by value are written whole; the pairs patched in are read apart.
SORTED_ONCE = (".by_value", ".value_starts")


def snapshot_keep_written(
    *, interval: float, once: bool = False, stop: Callable[[], bool] = bool
) -> None:
    """Write the catalogue's snapshot under ``OCLO_SEARCH_SNAPSHOT_DIR`` (``once``, or again
    after each change, until ``stop()``). It looks at the change log every ``interval``
    seconds, and writes at most a fifth of the time: at 1,000,000 records a write takes
    seconds, and during an import the workers patch in what changed meanwhile. One writer per
    directory: a second one waits, and takes over when the first one ends. Between writes the
    writer too maps what it wrote, so it keeps no copy of its own."""
    directory = settings.OCLO_SEARCH_SNAPSHOT_DIR
    written, pause = None, interval
    with _writer_lock(directory):
        while True:
            try:
                snapshot = facet_index.current()
                if snapshot.version != written:
                    started = time.perf_counter()
                    path = snapshot_write(snapshot, directory)
                    written = snapshot.version
                    took = time.perf_counter() - started
                    pause = max(interval, WRITING_SHARE * took)
                    logger.info(
                        "wrote the search snapshot of %d opportunities to %s in %.1f s",
                        np.count_nonzero(snapshot.alive),
                        path,
                        took,
                    )
                    # Mapped now: the copy built or patched in memory goes, and what it held
                    # goes back to the system.
                    del snapshot
                    facet_index.current()
                    _give_back_freed_memory()
            except DatabaseError:
                if once:
                    raise
                # The database went away: the workers go on with the files they have.
                logger.warning("could not read the catalogue for the snapshot", exc_info=True)
                connections.close_all()
            if once or stop():
                return
            time.sleep(pause)


def snapshot_is_current(directory: Path) -> bool:
    """Whether the files under ``directory`` hold the newest change of the log."""
    path = current_snapshot_path(directory)
    if path is None:
        return False
    meta = json.loads((path / META).read_text())
    return meta["format"] == FORMAT and meta["sequence"] == latest_log_entry()[0]


def snapshot_write(snapshot: Snapshot, directory: Path) -> Path:
    """Write ``snapshot`` as the current one under ``directory``; returns where it lies."""
    directory.mkdir(parents=True, exist_ok=True)
    titles = snapshot.titles.compacted()
    arrays = {
        "ids": snapshot.ids,
        "alive": snapshot.alive,
        "modified": snapshot.modified,
        "titles.text": titles.text,
        "titles.offsets": titles.offsets,
        "titles.by_title": titles.by_title,
        "titles.ranks": titles.ranks,
    }
    arrays |= {f"numbers.{key}": values for key, values in snapshot.numbers.items()}
    arrays |= _fields("editions", snapshot.editions)
    arrays |= _fields("edition_day", snapshot.edition_day())
    for key, column in snapshot.columns.items():
        column = column.prepared()
        arrays |= {
            f"columns.{key}.{name}": getattr(column, name)
            for name in ("values", "offsets", "covered")
            if getattr(column, name) is not None  # one value per document: no offsets
        }
        if column.by_value is not None:
            arrays[f"columns.{key}.by_value"], arrays[f"columns.{key}.value_starts"] = (
                column.by_value
            )
    meta = {
        "format": FORMAT,
        "sequence": snapshot.sequence,
        "marker": snapshot.marker.isoformat() if snapshot.marker else None,
        "built_on": snapshot.built_on.isoformat(),
        "keys": {key: column.keys for key, column in snapshot.columns.items()},
        "lengths": {name: len(values) for name, values in arrays.items()},
    }
    written = Path(tempfile.mkdtemp(prefix=".writing-", dir=directory))
    for name, values in arrays.items():
        grows = name.startswith(GROWING) and not name.endswith(SORTED_ONCE)
        room = max(ROOM_AT_LEAST, len(values) // ROOM_SHARE) if grows else 0
        stored = np.lib.format.open_memmap(
            written / f"{name}.npy", mode="w+", dtype=values.dtype, shape=(len(values) + room,)
        )
        stored[: len(values)] = values
        stored.flush()
        del stored
    (written / META).write_text(json.dumps(meta))
    for path in written.iterdir():
        _sync(path)
    final = directory / f"snapshot-{snapshot.sequence}-{os.getpid()}-{written.name[-8:]}"
    written.rename(final)
    link = directory / f".{CURRENT}-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(final.name)
    link.replace(directory / CURRENT)
    _sync(directory)
    _prune(directory, final)
    return final


def current_snapshot_path(directory: Path) -> Path | None:
    """The snapshot the ``current`` link names, or None when none was written yet."""
    try:
        return directory / os.readlink(directory / CURRENT)
    except FileNotFoundError:
        return None


def snapshot_map(path: Path) -> Snapshot:
    """The snapshot at ``path``, its arrays mapped (shared with the other workers)."""
    meta = json.loads((path / META).read_text())
    if meta["format"] != FORMAT:
        raise ValueError(f"{path}: snapshot format {meta['format']}, expected {FORMAT}")
    arrays, room = {}, {}
    for name, length in meta["lengths"].items():
        # Copy-on-write: pages stay shared with the other workers until this one writes to
        # them, which it does only in the room after the snapshot's rows.
        whole = np.asarray(np.load(path / f"{name}.npy", mmap_mode="c"))
        arrays[name] = whole[:length]
        if len(whole) > length:
            room[name] = whole

    def group(prefix: str) -> dict[str, np.ndarray]:
        return {
            name.removeprefix(prefix): values
            for name, values in arrays.items()
            if name.startswith(prefix)
        }

    columns = {}
    for key, keys in meta["keys"].items():
        parts = group(f"columns.{key}.")
        columns[key] = FacetColumn(
            parts["values"],
            parts.get("offsets"),
            keys,
            {value: index for index, value in enumerate(keys)},
            parts["covered"],
            by_value=(parts["by_value"], parts["value_starts"]) if "by_value" in parts else None,
        )
    titles = group("titles.")
    marker = meta["marker"]
    return Snapshot(
        sequence=meta["sequence"],
        marker=datetime.fromisoformat(marker) if marker else None,
        ids=arrays["ids"],
        alive=arrays["alive"],
        columns=columns,
        numbers=group("numbers."),
        editions=EditionArrays(**group("editions.")),
        modified=arrays["modified"],
        titles=TitleOrder(titles["text"], titles["offsets"], titles["by_title"], titles["ranks"]),
        built_on=date.fromisoformat(meta["built_on"]),
        _edition_day=EditionDay(**group("edition_day.")),
        mapped_from=path,
        room=room,
    )


@contextlib.contextmanager
def _writer_lock(directory: Path):
    """An exclusive lock on ``directory`` that the kernel releases when the process ends,
    however it ends."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "writer.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _give_back_freed_memory() -> None:
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _fields(prefix: str, record) -> dict[str, np.ndarray]:
    return {f"{prefix}.{each.name}": getattr(record, each.name) for each in fields(record)}


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _prune(directory: Path, current: Path) -> None:
    """Remove all but the newest ``KEPT`` snapshots and any half-written one of a dead writer.
    A worker that still maps a removed snapshot keeps reading it: the files live on until
    it lets go of them."""
    snapshots = sorted(
        (path for path in directory.iterdir() if path.name.startswith("snapshot-")),
        key=lambda path: path.stat().st_mtime,
    )
    for path in snapshots[:-KEPT]:
        if path != current:
            shutil.rmtree(path, ignore_errors=True)
    for path in directory.glob(".writing-*"):
        if path.stat().st_mtime < current.stat().st_mtime - 3600:
            shutil.rmtree(path, ignore_errors=True)
