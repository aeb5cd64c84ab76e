"""The running system under faults (issue 18): a gunicorn on loopback, on a throwaway
PostgreSQL cluster of its own (``scripts/pg-replica``) and the Redis of ``CACHE_URL``.

1. Rated load: closed loop, a few clients, pages and API mixed: throughput and latency.
2. Four times that, open loop: only fast answers (200, or 503 refused at once), no timeouts;
   how long until the server answers normally again once the load drops.
3. The database stops: pages and API answer 503 within the connect timeout; it starts again:
   how long until they answer 200, with nothing restarted.
4. A soak at half the rated load: the processes' memory and the database connections sampled.
"""

import http.client
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings

PORT = 8156
CLIENT_TIMEOUT = 10
SCRIPT = Path(settings.BASE_DIR) / "scripts" / "pg-replica"
PATHS = [
    "/",
    "/?q=data+analysis",
    "/?eqf=6&sort=title",
    "/about/",
    "/api/v1/learning-opportunities/?facets=true",
    "/api/v1/learning-opportunities/?q=photography",
]


def _request(path: str) -> tuple[object, float]:
    """(status, or the kind of failure; seconds)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=CLIENT_TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        outcome = response.status
    except TimeoutError:
        outcome = "timeout"
    except OSError as error:
        outcome = type(error).__name__
    finally:
        connection.close()
    return outcome, time.perf_counter() - started


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _summary(results: list[tuple[object, float]], seconds: float) -> str:
    """Throughput, then per status: how many, and their p50 / p95 / max time."""
    by_status: dict[object, list[float]] = {}
    for status, elapsed in results:
        by_status.setdefault(status, []).append(elapsed)
    parts = [
        f"{status} x{len(times)} p50 {_percentile(times, 0.5) * 1000:.0f} / "
        f"p95 {_percentile(times, 0.95) * 1000:.0f} / max {max(times) * 1000:.0f} ms"
        for status, times in sorted(by_status.items(), key=lambda item: str(item[0]))
    ]
    return f"{len(results) / seconds:.1f} req/s; " + "; ".join(parts)


def _closed_loop(clients: int, seconds: float) -> list[tuple[object, float]]:
    results, deadline = [], time.monotonic() + seconds

    def client(number: int):
        index = number
        while time.monotonic() < deadline:
            results.append(_request(PATHS[index % len(PATHS)]))
            index += 1

    threads = [threading.Thread(target=client, args=[number]) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _open_loop(rate: float, seconds: float) -> list[tuple[object, float]]:
    """Requests sent at ``rate`` per second whatever the answers: as many visitors do."""
    futures = []
    with ThreadPoolExecutor(max_workers=256) as pool:
        started = time.monotonic()
        sent = 0
        while (now := time.monotonic()) < started + seconds:
            due = int((now - started) * rate)
            for _ in range(due - sent):
                futures.append(pool.submit(_request, PATHS[sent % len(PATHS)]))
                sent += 1
            time.sleep(0.002)
    return [future.result() for future in futures]


def _seconds_until(condition, limit: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def _server_processes(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [master, *map(int, children)]


def _database_connections(url: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as db:
        return db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        ).fetchone()[0]


def _cluster(command: str) -> dict[str, str]:
    output = subprocess.run(
        [str(SCRIPT), command], check=True, capture_output=True, text=True
    ).stdout
    return dict(re.findall(r"export (\w+)=(\S+)", output))


def _manage(environment: dict, *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
        capture_output=True,
    )


def run(*, soak_minutes: float) -> None:
    if not os.environ.get("CACHE_URL"):
        print("outages: skipped, CACHE_URL (Redis) is not set")
        return
    try:
        cluster = _cluster("start")
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"outages: skipped, scripts/pg-replica could not start a cluster ({error})")
        return
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oclo.settings",
        "DATABASE_URL": cluster["DATABASE_URL"],
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "CACHE_KEY_PREFIX": f"oclo-bench-{secrets.token_hex(4)}",
        # The API throttle would answer this one client's load with 429s: measured apart.
        "OCLO_API_ANON_RATE": "1000000/minute",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": "2",
    }
    # The primary only: this measures one database's outage.
    environment.pop("DATABASE_REPLICA_URLS", None)
    started = time.perf_counter()
    for arguments in (
        ["migrate", "--no-input"],
        ["load_taxonomies"],
        ["load_demo", "--no-users"],
        ["collectstatic", "--no-input"],
    ):
        _manage(environment, *arguments)
    print(f"outages: cluster, migrations and demo data in {time.perf_counter() - started:.0f} s")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "oclo/gunicorn.py", "oclo.wsgi:application"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if _seconds_until(lambda: _request("/about/")[0] == 200, 60) is None:
            raise RuntimeError("the server did not start")
        _closed_loop(2, 5)  # warm: facet index, caches
        _measure(environment, cluster, server.pid, soak_minutes)
    finally:
        server.terminate()
        server.wait(20)
        _cluster("stop")


def _measure(environment: dict, cluster: dict, master: int, soak_minutes: float) -> None:
    rated = _closed_loop(4, 15)
    rate = len(rated) / 15
    print(f"rated load (4 clients in a closed loop, 15 s): {_summary(rated, 15)}")

    overload = _open_loop(4 * rate, 20)
    print(f"4x rated load ({4 * rate:.0f} req/s open loop, 20 s): {_summary(overload, 20)}")
    rated_p95 = _percentile([elapsed for _, elapsed in rated], 0.95)

    def normal() -> bool:
        window = [_request(path) for path in PATHS]
        return all(status == 200 for status, _ in window) and max(
            elapsed for _, elapsed in window
        ) <= max(2 * rated_p95, 0.5)

    recovered = _seconds_until(normal, 60)
    print(
        "back to normal after the overload (every kind of page 200 within 2x rated p95): "
        + (f"{recovered:.1f} s" if recovered is not None else "not within 60 s")
    )

    subprocess.run([str(SCRIPT), "stop-primary"], check=True, capture_output=True)
    for path in PATHS:
        down = [_request(path) for _ in range(3)]
        print(f"database stopped, {path}: {_summary(down, sum(elapsed for _, elapsed in down))}")
    _cluster("start")
    back = _seconds_until(lambda: all(_request(path)[0] == 200 for path in PATHS), 60)
    print(
        "database started again: every kind of page 200 after "
        + (f"{back:.1f} s" if back is not None else "more than 60 s (not recovered)")
    )

    rss, connections, results = [], [], []
    deadline = time.monotonic() + soak_minutes * 60
    while time.monotonic() < deadline:
        results += _open_loop(rate / 2, 15)
        rss.append(sum(_rss_mb(pid) for pid in _server_processes(master)))
        connections.append(_database_connections(environment["DATABASE_URL"]))
    seconds = soak_minutes * 60
    print(f"soak, {soak_minutes:g} min at half the rated load: {_summary(results, seconds)}")
    print(
        f"  server memory (master and workers, MB) every 15 s: {rss[0]:.0f} -> {rss[-1]:.0f} "
        f"(max {max(rss):.0f}); database connections: {min(connections)}-{max(connections)}"
    )
