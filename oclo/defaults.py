"""Project-specific settings with their documented defaults, in one place.

Each value can be overridden in ``oclo/settings.py`` (or through the environment there).
"""

# 1 ECTS credit corresponds to 25-30 hours of learning (ECTS Users' Guide 2015). Outside that band
# the descriptor form shows a warning, not an error: providers sometimes count contact hours only.
OCLO_HOURS_PER_ECTS_MIN = 25
OCLO_HOURS_PER_ECTS_MAX = 30

# Where `load_taxonomies` finds the curated vocabularies and the ESCO subset.
OCLO_TAXONOMY_FIXTURES = "fixtures/taxonomies"

# Rows per transaction when importing the ESCO CSV bundle: large enough to amortise the
# round-trips, small enough to keep peak memory flat.
OCLO_ESCO_IMPORT_BATCH_SIZE = 2000

# Public catalogue pages: opportunities per list page.
OCLO_LIST_PAGE_SIZE = 20

# Repeated searches (the home page above all) are answered from a per-process cache keyed on
# the catalogue version, so an edit is visible at once. Benchmarks switch it off to measure the
# work itself.
OCLO_SEARCH_CACHE = True
OCLO_SEARCH_CACHE_SIZE = 256

# Where one process of the machine (`manage.py search_snapshot`, started by gunicorn's master)
# writes the search facet snapshot for every worker to map, rather than each worker building
# and patching a copy of its own (decision record 0017). None: each process builds its own,
# which is what a single process (`runserver`, tests) wants. Set from the environment.
OCLO_SEARCH_SNAPSHOT_DIR = None

# What matches and ranks the words of a search (decision record 0011): "database" (PostgreSQL
# full text, or matching in Python on SQLite) or "tantivy" (an embedded index in
# OCLO_TEXT_INDEX_DIR on this machine's disk, kept current from the change log; needs
# `pip install tantivy`). Set from the environment in settings.py.
OCLO_TEXT_ENGINE = "database"

# API pages: the default and the largest number of results a client may ask for.
OCLO_API_PAGE_SIZE = 20
OCLO_API_MAX_PAGE_SIZE = 100

# A CSV download holds the whole search result, up to this many rows.
OCLO_CSV_MAX_ROWS = 10_000

# Proxies of ours in front of the app (a load balancer, nginx): 0 when clients connect to
# gunicorn directly. ``X-Forwarded-For`` is read only with a proxy count, from the right: the
# addresses a client wrote into it itself never count (throttles, login lockout).
OCLO_NUM_PROXIES = 0

# Sign-in lockout (django-axes): after this many failed sign-ins for one account, or from one
# address, further attempts are refused for the cool-off time, even with the right password.
OCLO_LOGIN_FAILURE_LIMIT = 5
OCLO_LOGIN_COOLOFF_MINUTES = 15

# Every page and API answer carries this Content-Security-Policy: scripts, styles, images and
# fonts from our own origin only (htmx, Swagger UI and the admin are served by us), no inline
# script or style, and no framing by other sites. An injected <script> does not run.
OCLO_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Requests one app process works on at once (gunicorn's threads are a few more, to answer the
# excess): beyond it a request is refused with 503 and Retry-After once it has waited
# OCLO_BUSY_WAIT_SECONDS, instead of waiting in a queue that makes every request late. About
# two per CPU core the process may use: the work is CPU-bound (the facet counts) between short
# database waits.
OCLO_MAX_CONCURRENT_REQUESTS = 4
# Seconds a request beyond that waits for a slot before it is refused: a burst is served a
# few milliseconds late instead of refused, a sustained overload still refused within it.
OCLO_BUSY_WAIT_SECONDS = 0.1
# Seconds a request may have waited for one of gunicorn's threads (oclo.workers): past them it
# is refused at once. A server that far behind would only make every later request later
# still; the slot limit above does not see this queue, which forms before the app.
OCLO_MAX_QUEUE_SECONDS = 0.25

# Seconds a database connection may take before the request is answered 503 instead.
OCLO_DATABASE_CONNECT_TIMEOUT = 2

# After a client writes, its reads go to the primary for this long, not to a read replica
# (read your writes): longer than the replicas' usual lag.
OCLO_READ_YOUR_WRITES_SECONDS = 5

# This installation's public address. The ids of exported ELM records carry it
# (``<base>/elm/opportunity/42``), so an import can tell this catalogue's own records (matched
# by id) from another installation's (matched by provider and identifier, never by our ids).
OCLO_BASE_URL = "http://127.0.0.1:8000"

# ELM documents sent to the API import: larger bodies are refused (413) before they are read.
OCLO_API_IMPORT_MAX_BYTES = 50 * 1024 * 1024
# An API import of up to this many records runs while the request waits (about a second);
# a larger document is imported by the task worker (202 and a job URL).
OCLO_API_IMPORT_SYNC_RECORDS = 100

# The harvestable dataset (``/api/v1/dataset/``) and its DCAT description. Portals show the
# publisher and the licence beside every record they take, so set them before partners harvest.
# The publisher's address defaults to OCLO_BASE_URL; without a contact e-mail the description
# has no contact point.
OCLO_DATASET_TITLE = "OCLO catalogue of micro-credentials"
OCLO_DATASET_DESCRIPTION = (
    "Published learning opportunities (micro-credentials above all) with the ECCOE descriptors "
    "and the elements of Annex I of the Council Recommendation on micro-credentials, in the "
    "European Learning Model."
)
OCLO_DATASET_PUBLISHER_NAME = "OCLO"
OCLO_DATASET_PUBLISHER_URL = ""
OCLO_DATASET_CONTACT_EMAIL = ""
# Creative Commons Attribution 4.0, as the Commission's own open data (Decision 2011/833/EU).
OCLO_DATASET_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
# Records per dataset page: the default and the most a harvester may ask for.
OCLO_DATASET_PAGE_SIZE = 100
