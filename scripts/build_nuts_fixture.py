"""Build ``fixtures/taxonomies/nuts.json`` from the ELM code list ``nuts.xsd``.

The code list is an XML Schema enumeration of NUTS URIs, each annotated with the region's
name. We keep only those facts (code and name), sorted by code:

    .venv/bin/python scripts/build_nuts_fixture.py ../shared/spec/elm/loq/cv/nuts.xsd

The parent of a region is its code less one character (ITH35 Venezia < ITH3 Veneto < ITH
Nord-Est < IT Italia), so the file needs no hierarchy of its own.
"""

import json
import sys
from pathlib import Path

from lxml import etree

URI_PREFIX = "http://data.europa.eu/nuts/code/"
XS = "{http://www.w3.org/2001/XMLSchema}"
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "taxonomies" / "nuts.json"


def nuts_regions(xsd: Path) -> dict[str, str]:
    regions = {}
    for enumeration in etree.parse(str(xsd)).iter(f"{XS}enumeration"):
        uri = enumeration.get("value", "")
        if not uri.startswith(URI_PREFIX):
            continue
        name = enumeration.findtext(f"{XS}annotation/{XS}documentation") or ""
        regions[uri.removeprefix(URI_PREFIX)] = " ".join(name.split())
    return dict(sorted(regions.items()))


def main(xsd: str) -> None:
    regions = nuts_regions(Path(xsd))
    document = {
        "source": f"ELM v3 loq/cv code list {Path(xsd).name} (EU Publications Office, NUTS)",
        "uri_prefix": URI_PREFIX,
        "regions": regions,
    }
    FIXTURE.write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(regions)} regions written to {FIXTURE}")


if __name__ == "__main__":
    main(sys.argv[1])
