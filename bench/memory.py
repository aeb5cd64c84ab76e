"""Memory of gunicorn's workers: each with an index of its own, or all mapping the machine's
search snapshot files (issue 18: about 150 MB per worker at 1,000,000 records; at most 20 MB
more per 100,000 records).

Needs the catalogue the search benchmark generates (OCLO_BENCH_COUNT, default 100,000). Each
worker answers every search of the benchmark's mix before it is measured, so what a day of
searches builds is counted. Per process: RSS (every page it touches, shared ones included), PSS
(shared pages divided among the processes sharing them: what it costs the machine) and USS
(its own pages only); and, with one snapshot per machine, which of the snapshot's arrays a
worker has read, which is what its RSS grows with.
"""

import os
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from bench.api import BASE, WORKERS, _server
from bench.search import QUERY_MIX, _prepare
from catalogue.search.snapshot_files import current_snapshot_path
from descriptors.models import LearningOpportunity


def run() -> None:
    count = int(os.environ.get("OCLO_BENCH_COUNT", "100000"))
    _prepare(count)
    print(f"memory of gunicorn's {WORKERS} workers, {count} opportunities, MB:")
    print(f"{'':<48}{'RSS':>7}{'PSS':>7}{'USS':>7}")
    server = _server()
    try:
        _search_everything()
        _report("each worker its own index", server.pid)
        _edit()
        _report("each its own, after an edit", server.pid)
    finally:
        _stop(server)

    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        server = _server(OCLO_SEARCH_SNAPSHOT_DIR=directory)
        print(f"(snapshot written and server up in {time.perf_counter() - started:.0f} s)")
        try:
            _search_everything()
            _report("one snapshot per machine, mapped", server.pid)
            _report_arrays_read(server.pid)
            first = current_snapshot_path(Path(directory))
            _edit()
            _report("mapped, after an edit patched in", server.pid)
            while current_snapshot_path(Path(directory)) == first:
                time.sleep(0.1)
            _search_everything()
            _report("mapped, once the snapshot is rewritten", server.pid)
        finally:
            _stop(server)


def _edit() -> None:
    """One record changed, then every search again: each worker patches its snapshot."""
    LearningOpportunity.objects.published().order_by("pk").first().save()
    _search_everything()


def _search_everything() -> None:
    """Every search of the mix with its facet counts, through the API, several times over and
    on new connections: each worker gets some."""
    for _ in range(WORKERS * 3):
        for params in QUERY_MIX.values():
            query = urllib.parse.urlencode({**params, "facets": "true"}, doseq=True)
            urllib.request.urlopen(f"{BASE}/api/v1/learning-opportunities/?{query}").read()


def _report(label: str, master: int) -> None:
    others = _writers(master)
    workers = _workers(master)
    for pid in sorted(workers):
        print(f"{label + ': a worker':<48}" + "".join(f"{mb:>7.0f}" for mb in _memory(pid)))
    print(f"{'  the master':<48}" + "".join(f"{mb:>7.0f}" for mb in _memory(master)))
    for pid in others:
        print(f"{'  the snapshot writer':<48}" + "".join(f"{mb:>7.0f}" for mb in _memory(pid)))
    total = sum(_memory(pid)[1] for pid in [master, *workers, *others])
    print(f"{'  all of them (PSS)':<48}{'':>7}{total:>7.0f}")


def _report_arrays_read(master: int, shown: int = 12) -> None:
    """The snapshot arrays a worker has read, largest first: what its RSS grows with."""
    worker = min(_workers(master))
    read = Counter()
    mapping = None
    for line in Path(f"/proc/{worker}/smaps").read_text().splitlines():
        name, _, rest = line.partition(" ")
        if not name.endswith(":"):  # a mapping's first line: addresses ... inode, then its file
            # A snapshot pruned since is still mapped, as "<path> (deleted)".
            file = rest.split(maxsplit=4)[-1].removesuffix(" (deleted)")
            mapping = file if file.endswith(".npy") else None
        elif name == "Rss:" and mapping:
            read[Path(mapping).stem] += int(rest.split()[0]) / 1024
    print(f"  snapshot arrays a worker has read, MB (all {sum(read.values()):.1f}):")
    for name, mb in read.most_common(shown):
        print(f"    {name:<44}{mb:>7.1f}")


def _workers(master: int) -> list[int]:
    writers = _writers(master)
    return [pid for pid in _children(master) if pid not in writers]


def _writers(master: int) -> list[int]:
    return [
        pid
        for pid in _children(master)
        if b"search_snapshot" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _memory(pid: int) -> tuple[float, float, float]:
    """RSS, PSS and USS of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":")
        fields[name] = int(value.split()[0]) / 1024
    return fields["Rss"], fields["Pss"], fields["Private_Clean"] + fields["Private_Dirty"]


def _stop(server) -> None:
    server.terminate()
    server.wait(timeout=60)
