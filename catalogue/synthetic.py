"""A synthetic catalogue with realistic distributions, for scale and performance work.

Built with bulk inserts (signals do not fire), then indexed in one pass. Every value comes from
the loaded taxonomies, so facets, filters and search behave as on real data.
"""

import multiprocessing
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

from django.db import connection, connections, transaction
from django.db.models import Model
from django.db.models.fields.related_descriptors import ManyToManyDescriptor
from django.utils import timezone

from catalogue.models import CatalogueChange, SearchDocument
from catalogue.search.indexing import opportunities_bulk_changed
from descriptors.models import Edition, Grant, LearningOpportunity, LearningOutcome, Organisation
from taxonomies.models import Concept, EscoSkill, IscedField, Scheme

BATCH = 2000
GRANT_SHARE = 0.1
GRANTS = (
    ("Regional training voucher", "For job seekers living in the region: it pays the fee."),
    ("Erasmus+ scholarship", ""),
    ("Employer training account", "Your employer may pay the fee from its training fund."),
)
TITLE_PATTERNS = (
    "Introduction to {}",
    "{} for professionals",
    "Advanced {}",
    "{} in practice",
    "Foundations of {}",
    "{}: a practical micro-credential",
    "Applied {}",
    "{} essentials",
)
COUNTRY_LANGUAGE = {
    "ITA": "ITA",
    "ESP": "SPA",
    "DEU": "DEU",
    "FRA": "FRA",
    "LTU": "LIT",
    "MLT": "MLT",
    "NLD": "NLD",
    "IRL": "ENG",
    "POL": "POL",
    "PRT": "POR",
    "AUT": "DEU",
    "BEL": "FRA",
}


def _weighted(rng: random.Random, population: list, skew: float = 1.1) -> Callable[[], object]:
    """A picker that favours the first items (Zipf-like), as real catalogues do."""
    cumulative = list(accumulate(1 / (rank + 1) ** skew for rank in range(len(population))))
    return lambda: rng.choices(population, cum_weights=cumulative)[0]


def _concepts(scheme: str) -> dict[str, Concept]:
    return {concept.code: concept for concept in Concept.objects.filter(scheme=scheme)}


@dataclass
class _Pickers:
    """Everything a batch draws from, with realistic (skewed) frequencies."""

    rng: random.Random
    today: date
    organisation: Callable[[], Organisation]
    skill: Callable[[], tuple[int, str]]
    field: Callable[[], str]
    languages: dict[str, Concept]
    modes: dict[str, Concept]
    opportunity_types: list[Concept]
    credential_types: list[Concept]
    euro: Concept
    ects_system: Concept


def _pickers(rng: random.Random, organisation_count: int) -> _Pickers:
    countries = _concepts(Scheme.COUNTRY)
    fields = list(
        IscedField.objects.filter(level=IscedField.Level.DETAILED)
        .exclude(code__endswith="0")
        .values_list("code", flat=True)
    )
    rng.shuffle(fields)
    skills = list(EscoSkill.objects.skills().values_list("pk", "preferred_label"))
    if not skills:
        raise ValueError("no ESCO skills loaded: run load_taxonomies or import_esco first")
    rng.shuffle(skills)
    pick_country = _weighted(rng, [code for code in COUNTRY_LANGUAGE if code in countries], 0.7)
    provider_types = list(_concepts(Scheme.PROVIDER_TYPE).values())
    existing = set(Organisation.objects.values_list("name", flat=True))
    Organisation.objects.bulk_create(
        [
            Organisation(
                name=name,
                provider_type=rng.choice(provider_types),
                country=countries[pick_country()],
                website=f"https://provider{number}.example.org/",
            )
            for number in range(organisation_count)
            if (name := f"Synthetic provider {number:05d}") not in existing
        ]
    )
    organisations = list(
        Organisation.objects.filter(name__startswith="Synthetic provider ").select_related(
            "country"
        )
    )
    return _Pickers(
        rng=rng,
        today=timezone.localdate(),
        organisation=_weighted(rng, organisations, 0.6),
        skill=_weighted(rng, skills, 0.9),
        field=_weighted(rng, fields, 0.8),
        languages=_concepts(Scheme.LANGUAGE),
        modes=_concepts(Scheme.MODE),
        opportunity_types=list(_concepts(Scheme.LEARNING_OPPORTUNITY_TYPE).values()),
        credential_types=list(_concepts(Scheme.CREDENTIAL_TYPE).values()),
        euro=Concept.objects.get(scheme=Scheme.CURRENCY, code="EUR"),
        ects_system=Concept.objects.get(scheme=Scheme.CREDIT_SYSTEM, code="6fcec5c5af"),
    )


def catalogue_generate(count: int, *, seed: int = 2026, progress=print, jobs: int = 1) -> int:
    """Create ``count`` published opportunities (and providers for them), indexed and logged,
    in ``jobs`` processes (see ``_generate_in_processes``)."""
    if jobs > 1 and connection.vendor != "postgresql":
        raise ValueError("generating in several processes needs PostgreSQL")
    pick = _pickers(random.Random(seed), max(8, count // 50))  # makes the providers too
    if jobs > 1:
        return _generate_in_processes(count, seed=seed, progress=progress, jobs=jobs)
    created = 0

    def counted(size: int) -> None:
        nonlocal created
        created += size
        progress(f"{created}/{count} opportunities")

    _generate(pick, count, counted)
    return created


def _generate(pick: _Pickers, count: int, counted: Callable[[int], None]) -> None:
    done, analysed_at = 0, 0
    while done < count:
        size = min(BATCH, count - done)
        with transaction.atomic():
            ids = _generate_batch(pick, size)
        opportunities_bulk_changed(ids, CatalogueChange.Kind.CREATED)
        done += size
        counted(size)
        if done >= 2 * analysed_at:
            _statistics_update()
            analysed_at = done


def _statistics_update() -> None:
    """Planner statistics for the tables a batch writes, each time this process has doubled
    what it made: indexing reads a batch's children back, and without statistics (a new
    database, or a server where autovacuum is off or behind a bulk load) PostgreSQL scanned
    every outcome for each 500 records: 0.9 s each at 200,000 records, growing with them."""
    if connection.vendor != "postgresql":
        return
    models = [
        LearningOpportunity,
        Edition,
        Grant,
        LearningOutcome,
        LearningOutcome.skills.through,
        *(field.remote_field.through for field in LearningOpportunity._meta.many_to_many),
        SearchDocument,
        CatalogueChange,
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE " + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        )


def _generate_in_processes(count: int, *, seed: int, progress, jobs: int) -> int:
    """One process generates and indexes while PostgreSQL waits, then the other way round:
    ``jobs`` processes, each drawing with its own seed from the providers made before they
    start (so that they do not race to make them), keep both busy. PostgreSQL only: SQLite
    takes one writer at a time."""
    context = multiprocessing.get_context("fork")
    created = context.Value("q", 0)

    def work(share: int, worker_seed: int) -> None:
        def counted(size: int) -> None:
            with created.get_lock():
                created.value += size
                progress(f"{created.value}/{count} opportunities")

        try:
            _generate(_pickers(random.Random(worker_seed), max(8, count // 50)), share, counted)
        finally:
            connections.close_all()

    connections.close_all()  # a connection must not be shared with the children
    workers = [
        context.Process(target=work, args=(count // jobs + (index < count % jobs), seed + index))
        for index in range(jobs)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    failed = sum(1 for worker in workers if worker.exitcode)
    if failed:
        raise RuntimeError(
            f"{failed} of {jobs} processes failed (their errors are above); "
            f"{created.value} opportunities were created"
        )
    return created.value


def _generate_batch(pick: _Pickers, size: int) -> list[int]:
    opportunities, extras, editions = [], [], []
    for _ in range(size):
        opportunity, language_code, topic, free = _opportunity(pick)
        opportunities.append(opportunity)
        extras.append((language_code, topic))
        editions.append(_editions(pick, free))
    bulk_insert(opportunities)
    for opportunity, offered in zip(opportunities, editions, strict=True):
        for edition in offered:
            edition.opportunity = opportunity
    bulk_insert([edition for offered in editions for edition in offered])
    _descriptors_create(pick, opportunities, extras)
    bulk_insert(_grants(opportunities))
    return [opportunity.pk for opportunity in opportunities]


def _grants(opportunities: list[LearningOpportunity]) -> list[Grant]:
    """A grant for one micro-credential in ten, drawn from the record's id so the other
    values stay those of earlier catalogues made with the same seed."""
    grants = []
    for opportunity in opportunities:
        rng = random.Random(opportunity.pk)
        if rng.random() < GRANT_SHARE:
            title, description = rng.choice(GRANTS)
            homepage = f"{opportunity.homepage}/funding" if description else ""
            grants.append(
                Grant(
                    opportunity=opportunity, title=title, description=description, homepage=homepage
                )
            )
    return grants


def _opportunity(pick: _Pickers) -> tuple[LearningOpportunity, str, str, bool]:
    """One unsaved micro-credential, with its language code, topic and whether it is free."""
    rng = pick.rng
    organisation = pick.organisation()
    language_code = COUNTRY_LANGUAGE.get(organisation.country.code, "ENG")
    topic = pick.skill()[1]
    ects = rng.choice([None, None, 1, 2, 2, 3, 4, 5, 5, 6, 10, 12, 15])
    workload = int(ects * rng.uniform(24, 31)) if ects else rng.choice([8, 12, 20, 30, 40, 60])
    free = rng.random() < 0.35
    opportunity = LearningOpportunity(
        provider=organisation,
        status=LearningOpportunity.Status.PUBLISHED,
        title=rng.choice(TITLE_PATTERNS).format(topic)[:255],
        description=(
            f"Learn {topic} with {organisation.name}. The course combines "
            f"{rng.choice(['case studies', 'projects', 'lectures', 'labs'])} and ends "
            f"with an assessed {rng.choice(['project', 'exam', 'portfolio'])}."
        ),
        opportunity_type=rng.choice(pick.opportunity_types),
        default_language=pick.languages[language_code],
        workload_hours=workload,
        ects_credits=Decimal(ects) if ects else None,
        credit_system=pick.ects_system if ects else None,
        credential_type=rng.choice(pick.credential_types),
        eqf_level_id=rng.choices([3, 4, 5, 6, 7, 8], [3, 8, 20, 35, 25, 9])[0],
        homepage=f"{organisation.website}courses/{rng.randint(1, 10**9)}",
        published_at=timezone.now(),
    )
    return opportunity, language_code, topic, free


def _descriptors_create(
    pick: _Pickers, opportunities: list[LearningOpportunity], extras: list[tuple[str, str]]
) -> None:
    """The saved opportunities' languages, modes, fields, countries, outcomes and skills."""
    rng = pick.rng
    model = LearningOpportunity
    languages, modes, fields, countries, outcomes = [], [], [], [], []
    for opportunity, (language_code, topic) in zip(opportunities, extras, strict=True):
        codes = {language_code} | ({"ENG"} if rng.random() < 0.3 else set())
        languages += [(opportunity.pk, pick.languages[code].pk) for code in codes]
        mode = rng.choices(["920fbb3cbe", "e92d221e4d", "9191af2ed9"], [50, 30, 20])[0]
        modes.append((opportunity.pk, pick.modes[mode].pk))
        fields += [
            (opportunity.pk, code) for code in {pick.field() for _ in range(rng.choice([1, 1, 2]))}
        ]
        countries.append((opportunity.pk, opportunity.provider.country_id))
        outcomes += [
            LearningOutcome(
                opportunity=opportunity,
                position=position,
                title=f"Apply {pick.skill()[1]} to {topic}.",
            )
            for position in range(rng.randint(2, 5))
        ]
    links_insert(model.languages, languages)
    links_insert(model.modes, modes)
    links_insert(model.isced_fields, fields)
    links_insert(model.countries, countries)
    bulk_insert(outcomes)
    links_insert(
        LearningOutcome.skills,
        [
            (outcome.pk, skill)
            for outcome in outcomes
            for skill in {pick.skill()[0] for _ in range(rng.randint(1, 3))}
        ],
    )


def _editions(pick: _Pickers, free: bool) -> list[Edition]:
    """One to six editions (most run once or twice), a few months to a year apart: the
    latest starts between six months ago and a year from now, earlier ones are history. One
    micro-credential in five can be started any time (one edition, no dates)."""
    rng = pick.rng
    fee = None if free else Decimal(rng.choice([49, 90, 150, 290, 450, 690]))
    common = {"is_free": free, "fee_amount": fee, "currency": None if free else pick.euro}
    if rng.random() < 0.2:
        return [Edition(any_start_date=True, status=Edition.Status.OPEN, **common)]
    count = rng.choices([1, 2, 3, 4, 5, 6], [30, 25, 20, 12, 8, 5])[0]
    start = pick.today + timedelta(days=rng.randint(-180, 365))
    editions = []
    for _ in range(count):
        end = start + timedelta(days=rng.choice([14, 30, 60, 90]))
        deadline = start - timedelta(days=14) if rng.random() < 0.5 else None
        editions.append(
            Edition(
                start_date=start,
                end_date=end,
                application_deadline=deadline,
                places=rng.choice([None, None, 20, 30, 60, 120]),
                status=Edition.status_for_dates(start, end, pick.today),
                **common,
            )
        )
        start -= timedelta(days=rng.randint(150, 380))
    return editions


def bulk_insert(objects: list[Model]) -> None:
    """Insert new rows of one model and give them their ids, as ``bulk_create`` does.

    On PostgreSQL by COPY, with the ids drawn from the table's sequence first: ``bulk_create``
    spent twice as long composing its INSERTs of thousands of parameters, and PostgreSQL
    parsing them, as copying the same rows takes.
    """
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects)
        return
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for instance, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            instance.pk = pk
        fields = meta.concrete_fields
        # The connection itself, not ``django.db.connection``: each attribute read through
        # that proxy costs a thread-local lookup, a tenth of the time of a row.
        database = cursor.db
        _copy(
            cursor,
            meta.db_table,
            [field.column for field in fields],
            (
                [
                    field.get_db_prep_save(field.pre_save(instance, add=True), database)
                    for field in fields
                ]
                for instance in objects
            ),
        )


def links_insert(relation: ManyToManyDescriptor, pairs: list[tuple[int, int]]) -> None:
    """Rows of a many-to-many relation, given as (id, related id) pairs: about two thirds of
    a generated record's rows, each otherwise a model instance of its own to build and convert."""
    if not pairs:
        return
    through, field = relation.through, relation.field
    source, target = field.m2m_column_name(), field.m2m_reverse_name()
    if connection.vendor != "postgresql":
        through.objects.bulk_create([through(**{source: a, target: b}) for a, b in pairs])
        return
    with connection.cursor() as cursor:
        _copy(cursor, through._meta.db_table, [source, target], pairs)


def _copy(cursor, table: str, columns: list[str], rows: Iterable[Sequence]) -> None:
    """Rows into a PostgreSQL table by COPY, each a value per column."""
    quote = cursor.db.ops.quote_name
    names = ", ".join(map(quote, columns))
    with cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
