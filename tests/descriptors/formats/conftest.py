import pytest
from lxml import etree


@pytest.fixture(scope="session")
def loq_schema():
    """The official LOQ schema (loq.xsd), to validate our XML with ``assert_valid``."""
    from tests.conftest import SHARED

    path = SHARED / "spec" / "elm" / "loq" / "loq.xsd"
    if not path.is_file():
        pytest.skip(f"the official LOQ schema is not at {path}")
    return etree.XMLSchema(etree.parse(str(path)))
