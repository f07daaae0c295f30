"""docs/tour.ipynb runs from top to bottom (executed with nbclient) and shows rich
results: every cell runs without an error, and the results have HTML tables."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "tour.ipynb"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_tour_notebook_runs_and_shows_tables() -> None:
    """Executing the notebook raises nothing; the model, a score, an assessment and the
    evaluation report display as HTML."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    html = [
        output["data"]["text/html"]
        for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if "data" in output and "text/html" in output["data"]
    ]
    joined = "\n".join(html)
    assert "b2b-default v1" in joined  # the model's rules table
    assert "Lead L" in joined  # a score and an assessment
    assert "AUC" in joined  # the evaluation report
    assert len(html) >= 5
