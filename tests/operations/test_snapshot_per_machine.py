"""A server with OCLO_SEARCH_SNAPSHOT_DIR: its master starts the process that writes the search
snapshot, the workers map those files (one copy in memory for all of them), an edit is
searchable at once, and the workers move to the files written after it. One writer per
directory: another one waits, and takes over when it ends."""

import time
import urllib.request
from pathlib import Path

import pytest

from catalogue.search.snapshot_files import current_snapshot_path
from taxonomies.loaders import taxonomies_load
from tests.builders import make_opportunity
from tests.processes import app_servers, manage

pytestmark = pytest.mark.django_db(transaction=True)  # the server reads committed rows only
PORT = 8156


def search(url: str, words: str) -> str:
    with urllib.request.urlopen(f"{url}/?q={words}", timeout=30) as response:
        return response.read().decode()


def processes_mapping(files: Path) -> set[int]:
    """The processes that have these snapshot files mapped into their memory."""
    mapping = set()
    for maps in Path("/proc").glob("[0-9]*/maps"):
        try:
            if str(files) in maps.read_text():
                mapping.add(int(maps.parent.name))
        except OSError:  # the process ended meanwhile
            pass
    return mapping


def until(condition, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
    return result


def test_the_workers_map_the_snapshot_the_master_keeps_written(tmp_path):
    taxonomies_load()
    opportunity = make_opportunity(title="Darkroom printing")
    directory = tmp_path / "search-snapshot"
    with app_servers(PORT, GUNICORN_WORKERS="2", OCLO_SEARCH_SNAPSHOT_DIR=str(directory)) as (url,):
        first = current_snapshot_path(directory)
        assert first is not None  # written before the workers started
        assert "Darkroom printing" in search(url, "darkroom")
        assert processes_mapping(first)

        opportunity.title = "Darkroom printing, second edition"
        opportunity.save()
        assert "Darkroom printing, second edition" in search(url, "darkroom")

        until(lambda: current_snapshot_path(directory) != first)
        second = current_snapshot_path(directory)
        assert until(lambda: search(url, "darkroom") and processes_mapping(second))


def written_by(directory: Path) -> set[str]:
    """The process ids in the names of the snapshots written under ``directory``."""
    return {path.name.split("-")[2] for path in directory.glob("snapshot-*")}


def test_a_second_writer_waits_and_takes_over_when_the_first_ends(tmp_path):
    taxonomies_load()
    opportunity = make_opportunity(title="Darkroom printing")
    directory = tmp_path / "search-snapshot"
    first = manage("search_snapshot", OCLO_SEARCH_SNAPSHOT_DIR=str(directory))
    second = None
    try:
        until(lambda: current_snapshot_path(directory))
        second = manage("search_snapshot", OCLO_SEARCH_SNAPSHOT_DIR=str(directory))
        opportunity.save()
        until(lambda: len(list(directory.glob("snapshot-*"))) == 2)
        assert written_by(directory) == {str(first.pid)}

        first.kill()
        first.wait()
        opportunity.title = "Darkroom printing, second edition"
        opportunity.save()
        until(lambda: str(second.pid) in written_by(directory))
        assert second.poll() is None
    finally:
        for writer in (first, second):
            if writer is not None:
                writer.kill()
                writer.wait()
