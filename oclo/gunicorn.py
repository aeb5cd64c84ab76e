"""Gunicorn settings: ``gunicorn -c oclo/gunicorn.py oclo.wsgi:application``."""

import contextlib
import ctypes
import gc
import itertools
import os
import subprocess
import sys
import time

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Threads, so that a worker busy with OCLO_MAX_CONCURRENT_REQUESTS requests still has threads
# to refuse the excess at once (503) rather than leave it waiting in the socket's queue; timed,
# so that a request that waited too long for a thread is refused at once too (oclo.workers).
worker_class = "oclo.workers.QueueTimedThreadWorker"
# Each thread keeps its own database connection: a server holds up to workers x threads.
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Beyond this many connections waiting for a thread, a worker accepts no more: the kernel's
# queue then holds them briefly, spread over the other workers.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "100"))
accesslog = "-"
# Load the app once in the master and build there the search facet index (about 7 s at 100k
# opportunities) and the skill suggestions' label indexes and model (2-4 s per ESCO language):
# the workers inherit them when they are forked, so no visitor waits for them and they are
# shared copy-on-write instead of built once per worker. A text index of its own (tantivy) is
# brought up to date before, by `manage.py update_text_index` (the Dockerfile's command): the
# master does not open it, as a library's threads do not survive a fork.
preload_app = True
# A worker's first requests build what it keeps for its life (compiled templates, vocabulary
# labels, translations: about 60,000 objects at 100,000 opportunities). Frozen once built, they
# leave the garbage collector's full passes, which come every few search pages: 26-30 ms a
# pass before, 6 ms after (measured). The requests in flight at that moment are frozen too:
# one request's worth of memory, once.
FREEZE_AFTER_REQUESTS = 100
_served = itertools.count(1)  # each worker counts its own: the master serves no request


# With OCLO_SEARCH_SNAPSHOT_DIR set, the master starts the process that writes the search facet
# snapshot there (`manage.py search_snapshot`) and waits for its files this long before the
# workers start: they map the files rather than each building its own (a minute at 1,000,000).
SNAPSHOT_WAIT_SECONDS = float(os.environ.get("OCLO_SEARCH_SNAPSHOT_WAIT_SECONDS", "600"))
_snapshot_writer: subprocess.Popen | None = None


# glibc's malloc serves a large block from the heap once its threshold for mapping blocks of
# their own has risen (it rises past the size of each freed block), and keeps what is freed
# there in per-thread arenas: a search at 1,000,000 records makes arrays of 1-8 MB. With these
# settings a worker's private memory at 1,000,000 records was 75-104 MB instead of 138-485 MB
# (`python -m bench memory`), and searches as fast within 5%. Set in the master before the
# workers are forked; the snapshot writer it starts reads them from its environment.
MALLOC_SETTINGS = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": str(128 * 1024)}
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # mallopt's parameter numbers (malloc.h)


def on_starting(server):
    for name, value in MALLOC_SETTINGS.items():
        os.environ.setdefault(name, value)
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_ARENA_MAX, int(os.environ["MALLOC_ARENA_MAX"]))
        libc.mallopt(M_MMAP_THRESHOLD, int(os.environ["MALLOC_MMAP_THRESHOLD_"]))


def when_ready(server):
    from django.db import connections

    from catalogue.search.facet_index import facet_index
    from taxonomies.suggestions import skills_suggestions_warm

    warm_ups = [("prepare the skill suggestions", skills_suggestions_warm)]
    if not _start_snapshot_writer(server):
        warm_ups.insert(0, ("build the facet index", facet_index.current))
    for what, warm_up in warm_ups:
        try:
            warm_up()
        except Exception:  # e.g. the database is not migrated yet: the first request does it
            server.log.exception("could not %s at start-up", what)
    # Workers must not share the master's database connection.
    connections.close_all()
    # What the master built lasts as long as the workers: kept out of the garbage collector's
    # full passes, which otherwise walk it on every worker (25 ms pauses at 100,000
    # opportunities, measured; 5 ms once frozen) and touch its pages, unsharing them.
    gc.freeze()


def post_request(worker, req, environ, resp):
    if next(_served) == FREEZE_AFTER_REQUESTS:
        gc.collect()
        gc.freeze()


def on_exit(server):
    if _snapshot_writer is not None:
        _snapshot_writer.terminate()
        _snapshot_writer.wait(10)


def _start_snapshot_writer(server) -> bool:
    """Start the process that writes the search snapshot for the workers to map, if one is
    configured, and wait for its files; whether it was started. The master itself does not
    map them: it would keep the pages of an old snapshot alive for as long as it runs."""
    global _snapshot_writer
    from django.conf import settings

    from catalogue.search.snapshot_files import snapshot_is_current

    directory = settings.OCLO_SEARCH_SNAPSHOT_DIR
    if directory is None:
        return False
    manage = str(settings.BASE_DIR / "manage.py")
    _snapshot_writer = subprocess.Popen(
        [sys.executable, manage, "search_snapshot", "--exit-with-parent"]
    )
    deadline = time.monotonic() + SNAPSHOT_WAIT_SECONDS
    # Files of an earlier run would do, but each worker would then patch in every change
    # since, each in memory of its own.
    while _snapshot_writer.poll() is None and time.monotonic() < deadline:
        try:
            if snapshot_is_current(directory):
                return True
        except Exception:  # the database is not there yet, or not migrated
            pass
        time.sleep(0.2)
    server.log.warning("no current search snapshot in %s yet", directory)
    return True
