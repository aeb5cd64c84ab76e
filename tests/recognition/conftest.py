import pytest

from tests.builders import make_opportunity, make_organisation


@pytest.fixture
def parties(db):
    """Two recognising institutions and a provider with three published opportunities."""
    provider = make_organisation("Leica Camera Italia", provider_type="company")
    return {
        "a": make_organisation("Università Iuav di Venezia"),
        "b": make_organisation("Politecnico di Milano"),
        "provider": provider,
        "opportunities": [
            make_opportunity(provider, title=title, ects_credits=ects, workload_hours=hours)
            for title, ects, hours in (
                ("Street photography: shape and content", 2, 50),
                ("Street photography: report and technique", 3, 75),
                ("Street photography: portrait project", 4, 100),
            )
        ],
    }
