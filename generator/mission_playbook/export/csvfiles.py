"""The playbook as a folder of CSV files, one per table of ``export/tables.py``
(``plans.csv``, ``metrics.csv``...): UTF-8, a header row, numbers as digits (``1500``,
``0.15``), dates as ``YYYY-MM-DD``, empty for nothing. A text that a spreadsheet would take
for a formula starts with an apostrophe (``export/cells.py``)."""

from __future__ import annotations

import csv
import io

from mission_playbook.export.cells import csv_text
from mission_playbook.export.tables import Cell, Table


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_text(value)
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, int):
        return str(value)
    return value.isoformat()


def table_csv(table: Table) -> str:
    """One table as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_text(c.heading) for c in table.columns])
    writer.writerows([_cell(v) for v in row] for row in table.rows)
    return out.getvalue()


def csv_files(tables: list[Table]) -> dict[str, str]:
    """``{file name: CSV text}`` for every table."""
    return {f"{table.name}.csv": table_csv(table) for table in tables}
