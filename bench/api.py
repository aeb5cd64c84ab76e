"""API at scale, served by gunicorn on loopback (issue 4 targets on a 2-core machine: p95 under
100 ms for list and detail; at least 800 requests/s for detail and the unfiltered 20-item list;
issue 21: at least 200 text searches/s with varied words, each one a cache miss).

Needs the catalogue the search benchmark generates (OCLO_BENCH_COUNT, default 100,000) and
Debian's ``wrk`` for the throughput figures.
"""

import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench.search import _percentile, _prepare
from catalogue.search.words import words
from descriptors.models import LearningOpportunity

PORT = 8799
WORKERS = 3
BASE = f"http://127.0.0.1:{PORT}"
SEARCH_PATH = "/api/v1/learning-opportunities/?q="
# More distinct searches than the server answers in a run of wrk, so that none repeats.
VARIED_SEARCHES = 20_000
# wrk runs one Lua state per thread: each thread walks its own half of the searches.
VARIED_SCRIPT = """
local searches = {%s}
local thread_count, next_search = 0, 0
function setup(thread)
  thread:set("offset", thread_count * math.floor(#searches / 2))
  thread_count = thread_count + 1
end
function init(args)
  next_search = offset
end
function request()
  next_search = next_search %% #searches + 1
  return wrk.format("GET", "%s" .. searches[next_search])
end
"""


def _server(**environment: str) -> subprocess.Popen:
    """gunicorn as production runs it on the benchmark's database, with ``environment``."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        if connection.vendor == "postgresql"
        else f"sqlite:///{database['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "OCLO_API_ANON_RATE": "1000000/minute",
        "GUNICORN_WORKERS": str(WORKERS),
        **environment,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            # The production settings: 3 workers forked from a master that built the facet
            # index, so no worker builds its own during the measured requests.
            "-c",
            "oclo/gunicorn.py",
            "oclo.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{BASE}/api/v1/eqf-levels/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def run() -> None:
    count = int(os.environ.get("OCLO_BENCH_COUNT", "100000"))
    rounds = int(os.environ.get("OCLO_BENCH_ROUNDS", "30"))
    _prepare(count)
    pk = (
        LearningOpportunity.objects.published()
        .order_by("pk")
        .values_list("pk", flat=True)[count // 2]
    )
    paths = {
        "detail": f"/api/v1/learning-opportunities/{pk}/",
        "list (no filter)": "/api/v1/learning-opportunities/",
        "list (2 filters)": "/api/v1/learning-opportunities/?eqf=6&mode=920fbb3cbe",
        "list (text search)": "/api/v1/learning-opportunities/?q=management",
        "harvest (cursor)": "/api/v1/learning-opportunities/?cursor=start&page_size=100",
    }
    server = _server()
    try:
        print(f"API, {count} opportunities on {connection.vendor}, gunicorn {WORKERS} workers:")
        print(f"{'request':<20}{'p50 ms':>9}{'p95 ms':>9}  served/s ({_connections()} connections)")
        for name, path in paths.items():
            for _ in range(3):  # plan and response caches of each worker
                urllib.request.urlopen(BASE + path).read()
            timings = []
            for _ in range(rounds):
                started = time.perf_counter()
                urllib.request.urlopen(BASE + path).read()
                timings.append((time.perf_counter() - started) * 1000)
            throughput = _wrk(BASE + path) if name in ("detail", "list (no filter)") else ""
            print(
                f"{name:<20}{statistics.median(timings):>9.1f}"
                f"{_percentile(timings, 0.95):>9.1f}  {throughput}"
            )
        searches = _varied_searches()
        print(f"text searches, {len(searches)} distinct (1-3 words of a title), none repeated:")
        first = _wrk_varied(searches, SEARCH_PATH, seconds=20)
        print(f"  no record's summary kept yet (20 s): {first}")
        # The same searches, each computed again (another page size), find the records whose
        # summaries the first run kept (catalogue.api.search_pages), as the searches of a
        # server that has run a while find those of the records people look for. A shorter
        # run, so that it does not reach searches the first did not.
        again = _wrk_varied(searches, SEARCH_PATH.replace("?", "?page_size=19&"), seconds=5)
        print(f"  the same again, 19 a page, their summaries kept (5 s): {again}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _connections() -> int:
    """As many connections as the server works on at once: each worker takes
    OCLO_MAX_CONCURRENT_REQUESTS and refuses the rest (503), which would measure the refusals."""
    return WORKERS * settings.OCLO_MAX_CONCURRENT_REQUESTS


def _varied_searches() -> list[str]:
    """What visitors type, each different: one to three consecutive words of the titles of
    randomly drawn published records (so every search finds something), seeded."""
    rng = random.Random(21)
    titles = list(LearningOpportunity.objects.published().values_list("title", flat=True))
    searches: set[str] = set()
    for _ in range(VARIED_SEARCHES * 10):
        title = words(rng.choice(titles))
        length = min(len(title), rng.choice([1, 2, 2, 3]))
        start = rng.randrange(len(title) - length + 1)
        searches.add(" ".join(title[start : start + length]))
        if len(searches) == VARIED_SEARCHES:
            break
    return sorted(searches)


def _wrk_varied(searches: list[str], path: str, *, seconds: int) -> str:
    """Answers per second to text searches through the API at ``path``, each one a different
    search (so each is a cache miss), with wrk's latency percentiles."""
    quoted = ", ".join(f'"{urllib.parse.quote_plus(search)}"' for search in searches)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "varied.lua"
        script.write_text(VARIED_SCRIPT % (quoted, path))
        return _wrk(BASE + path, script=script, connections=16, seconds=seconds)


def _wrk(
    url: str, *, script: Path | None = None, connections: int | None = None, seconds: int = 10
) -> str:
    """Answers per second with a 2xx or 3xx status, and how many others: a request the load
    shedding refuses (503) is answered fast, and counted by wrk as if it were served."""
    if not shutil.which("wrk"):
        return "no wrk"
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections or _connections()}",
            f"-d{seconds}s",
            "--latency",
            *(["-s", str(script)] if script else []),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    total, seconds = re.search(r"(\d+) requests in ([\d.]+)s", output).groups()
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    refused = int(refused[1]) if refused else 0
    served = (int(total) - refused) / float(seconds)
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", output, re.MULTILINE))
    return (
        f"{served:.0f}"
        + (f" ({refused} refused)" if refused else "")
        + (f", latency p50 {latency['50']} p99 {latency['99']}" if latency else "")
    )
