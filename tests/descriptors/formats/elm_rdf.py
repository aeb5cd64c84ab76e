"""ELM documents as RDF, to validate them with the official SHACL shapes.

``jsonld_graph`` reads our JSON-LD with rdflib's JSON-LD processor, offline: our context comes
through the app (as a partner's processor would fetch it) and the official ELM context from
``../shared/spec/elm``. ``loq_graph`` is our own reading of LOQ XML as RDF, written from the
LOQ schema (element names, which code list each coded element takes), independently of the
JSON-LD writer, so that the two can be compared triple by triple.
"""

import hashlib
import json
from collections import Counter
from functools import cache

import pyrudof
from django.conf import settings
from lxml import etree
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from descriptors.formats.elm_xml import NUTS
from tests.conftest import SHARED

ELM = Namespace("http://data.europa.eu/snb/model/elm/")
DC = Namespace("http://purl.org/dc/terms/")
SH = Namespace("http://www.w3.org/ns/shacl#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
ROV = Namespace("http://www.w3.org/ns/regorg#")
LOQ = "http://data.europa.eu/snb/model/ap/loq-constraints/"
ELM_CONTEXT = SHARED / "spec" / "elm" / "samples" / "edc-ap-context.jsonld"
SHAPES = [
    SHARED / "spec" / "elm" / "shacl" / name
    for name in ("LOQ-constraints.ttl", "LOQ-constraints-mdr.ttl")
]


# --- JSON-LD -------------------------------------------------------------------------------


def jsonld_graph(document: dict, client) -> Graph:
    """The RDF a JSON-LD processor (rdflib's) makes of the document, fetching contexts as a
    partner's would: ours from the app (through the test client), the official one from
    shared. rdflib would fetch them over the network itself, so they are put in place first."""
    from descriptors.formats.elm_jsonld import ELM_CONTEXT as OFFICIAL
    from descriptors.formats.elm_jsonld import context_url

    def fetched(url: str) -> dict:
        if url == OFFICIAL:
            return json.loads(ELM_CONTEXT.read_text(encoding="utf-8"))
        assert url == context_url(), f"the document names an unknown context {url}"
        response = client.get(url.removeprefix(settings.OCLO_BASE_URL))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/ld+json"
        return response.json()

    def in_place(context) -> list:
        resolved = []
        for part in context if isinstance(context, list) else [context]:
            resolved += in_place(fetched(part)["@context"]) if isinstance(part, str) else [part]
        return resolved

    offline = {**document, "@context": in_place(document["@context"])}
    return Graph().parse(data=json.dumps(offline), format="json-ld")


# --- LOQ XML -------------------------------------------------------------------------------

# Each LOQ element's RDF property; the rest are elm:<element>.
PROPERTIES = {
    "title": DC.title,
    "description": DC.description,
    "type": DC.type,
    "language": DC.language,
    "temporal": DC.temporal,
    "subject": DC.subject,
    "modified": DC.modified,
    "homepage": FOAF.homepage,
    "identifier": ADMS.identifier,
    "legalName": ROV.legalName,
    "registration": ROV.registration,
    "spatial": DC.spatial,
    "publisher": DC.publisher,
    "prefLabel": SKOS.prefLabel,
    "notation": SKOS.notation,
    "value": RDF.value,
}
DATATYPES = {
    "startDate": XSD.dateTime,
    "endDate": XSD.dateTime,
    "applicationDeadline": XSD.dateTime,
    "modified": XSD.dateTime,
    "duration": XSD.duration,
    "volumeOfLearning": XSD.duration,
    "value": XSD.decimal,
    "contentUrl": XSD.anyURI,
}
# The class of the records and structured values each element holds.
CLASSES = {
    "learningOpportunity": ELM.LearningOpportunity,
    "learningAchievementSpecification": ELM.LearningAchievementSpecification,
    "learningOutcome": ELM.LearningOutcome,
    "learningActivitySpecification": ELM.LearningActivitySpecification,
    "learningAssessmentSpecification": ELM.LearningAssessmentSpecification,
    "organisation": ELM.Organisation,
    "location": DC.Location,
    "address": ELM.Address,
    "identifier": ELM.Identifier,
    "registration": ELM.LegalIdentifier,
    "homepage": ELM.WebResource,
    "supplementaryDocument": ELM.WebResource,
    "grant": ELM.Grant,
    "temporal": DC.PeriodOfTime,
    "priceDetail": ELM.PriceDetail,
    "amount": ELM.Amount,
    "creditPoint": ELM.CreditPoint,
    "awardingOpportunity": ELM.AwardingOpportunity,
    "additionalNote": ELM.Note,
    "scheduleInformation": ELM.Note,
    "admissionProcedure": ELM.Note,
    "entryRequirement": ELM.Note,
    "fullAddress": ELM.Note,
}
AUTHORITY = "http://publications.europa.eu/resource/authority/"
SNB = "http://data.europa.eu/snb/"
# The code list (concept scheme) of each coded element, as the LOQ schema's types name them.
SCHEMES = {
    "defaultLanguage": AUTHORITY + "language",
    "language": AUTHORITY + "language",
    "countryCode": AUTHORITY + "country",
    "spatial": AUTHORITY + "country",
    "unit": AUTHORITY + "currency",
    "ISCEDFCode": SNB + "isced-f/25831c2",
    "mode": SNB + "learning-assessment/25831c2",
    "learningSchedule": SNB + "learning-schedule/25831c2",
    "learningSetting": SNB + "learning-setting/25831c2",
    "targetGroup": SNB + "target-group/25831c2",
    "framework": SNB + "education-credit/25831c2",
    ("learningOpportunity", "type"): SNB + "learning-opportunity/25831c2",
    ("learningActivitySpecification", "type"): SNB + "learning-activity/25831c2",
    ("learningAssessmentSpecification", "type"): SNB + "assessment/25831c2",
    "subject": "https://w3id.org/oclo/descriptor",
}
LEVEL_SCHEMES = {SNB + "eqf/": SNB + "eqf/25831c2", SNB + "qdr/": SNB + "qdr/25831c2"}


def _name(element) -> str:
    return etree.QName(element).localname


def _scheme(parent: str, name: str, uri: str) -> str | None:
    if name == "educationLevel":
        return next(scheme for prefix, scheme in LEVEL_SCHEMES.items() if uri.startswith(prefix))
    if name == "relatedESCOSkill" or uri.startswith(NUTS):
        return None  # decision record 0013; NUTS: the ELM list mixes two versions
    return SCHEMES.get((parent, name)) or SCHEMES[name]


def loq_graph(document: bytes) -> Graph:
    """LOQ XML as RDF: records by their ids, references (idref) as links, coded values as
    concepts of their code list, texts with their language, values with their XSD type."""
    graph = Graph()

    def node(element, subject, parent: str) -> None:
        for child in element:
            if not isinstance(child.tag, str):
                continue
            name = _name(child)
            predicate = PROPERTIES.get(name, ELM[name])
            if child.get("idref"):
                graph.add((subject, predicate, URIRef(child.get("idref"))))
            elif child.get("uri"):
                value = URIRef(child.get("uri"))
                graph.add((subject, predicate, value))
                graph.add((value, RDF.type, SKOS.Concept))
                scheme = _scheme(parent, name, child.get("uri"))
                if scheme:
                    graph.add((value, SKOS.inScheme, URIRef(scheme)))
                    graph.add((URIRef(scheme), RDF.type, SKOS.ConceptScheme))
                node(child, value, name)
            elif name in CLASSES:
                value = BNode()
                graph.add((subject, predicate, value))
                graph.add((value, RDF.type, CLASSES[name]))
                node(child, value, name)
            else:
                text = child.text or ""
                if child.get("language"):
                    literal = Literal(text, lang=child.get("language"))
                else:
                    literal = Literal(text, datatype=DATATYPES.get(name))
                graph.add((subject, predicate, literal))

    for group in etree.fromstring(document):
        for record in group:
            subject = URIRef(record.get("id"))
            graph.add((subject, RDF.type, CLASSES[_name(record)]))
            node(record, subject, _name(record))
    return graph


# --- SHACL ---------------------------------------------------------------------------------


@cache
def loq_shapes() -> Graph:
    """Both official shape sets, their URL patterns translated from Java's regex syntax (an
    inline ``(?i)`` after ``^``, classes nested in classes, ``\\p{L}``) to Python's."""
    shapes = Graph()
    for path in SHAPES:
        shapes.parse(path)
    for shape, _, pattern in list(shapes.triples((None, SH.pattern, None))):
        python = str(pattern)
        if "(?i)" in python:
            python = "(?i)" + python.replace("(?i)", "")
        python = python.replace(r"[[A-Fa-f0-9]\:\.]", r"[A-Fa-f0-9:.]").replace(
            r"[%[\p{L}\p{Nl}\p{Nd}]]", r"[%\w]"
        )
        shapes.remove((shape, SH.pattern, pattern))
        shapes.add((shape, SH.pattern, Literal(python)))
    return shapes


def rudof_conforms(graph: Graph) -> tuple[bool, list[str]]:
    """Whether ``graph`` conforms to both official shape sets by rudof, a SHACL engine written
    in Rust (ten times pyshacl's speed on the 2,000 generated records: 5 s against 55), and
    the violations it reports (focus node, path, constraint)."""
    engine = pyrudof.Rudof(pyrudof.RudofConfig())
    strict = pyrudof.ReaderMode.Strict
    engine.read_data(graph.serialize(format="nt"), pyrudof.RDFFormat.NTriples, reader_mode=strict)
    engine.read_shacl(_shapes_turtle(), reader_mode=strict)
    report = engine.validate_shacl()
    violations = sorted(
        f"{entry.focus_node} {entry.path} {entry.constraint_component.rsplit('#')[-1]}"
        for entry in report
    )
    return report.conforms, violations


@cache
def _shapes_turtle() -> str:
    return loq_shapes().serialize(format="turtle")


def statements(graph: Graph) -> Counter:
    """The graph's statements about named things, each blank node replaced by a digest of what
    it says (our blank nodes are trees: notes, prices, addresses), with xsd:string literals as
    simple literals (the same in RDF 1.1). Two such counts are equal exactly when the graphs
    are isomorphic, in a fraction of the time rdflib's general comparison takes."""
    digests: dict[BNode, str] = {}

    def term(value) -> str:
        if isinstance(value, BNode):
            if value not in digests:
                digests[value] = hashlib.sha256(
                    repr(
                        sorted((p.n3(), term(o)) for p, o in graph.predicate_objects(value))
                    ).encode()
                ).hexdigest()
            return digests[value]
        if isinstance(value, Literal) and value.datatype == XSD.string:
            value = Literal(str(value))
        return value.n3()

    return Counter(
        (term(subject), predicate.n3(), term(value))
        for subject, predicate, value in graph
        if not isinstance(subject, BNode)
    )
