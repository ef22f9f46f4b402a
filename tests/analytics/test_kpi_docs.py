"""docs/kpis.md's KPI × dimension matrix is the engine's."""

from pathlib import Path

from analytics.kpi_engine import DEFINITIONS, available
from analytics.kpi_sources import Dimension

DOC = Path(__file__).resolve().parents[2] / "docs" / "kpis.md"


def test_the_documented_matrix_is_the_engines():
    text = DOC.read_text().split("<!-- kpi matrix: checked by tests/analytics/test_kpi_docs.py -->")[1]
    lines = [line for line in text.strip().splitlines() if line.startswith("| `")]
    documented = {}
    for line in lines:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        documented[cells[0].strip("`")] = (cells[1], [cell != "—" for cell in cells[2:]])
    assert set(documented) == set(DEFINITIONS)
    for key, (sources, marks) in documented.items():
        assert sources == ", ".join(DEFINITIONS[key].sources), key
        assert marks == [available(key, d) for d in Dimension], key
