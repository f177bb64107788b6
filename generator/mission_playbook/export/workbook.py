"""The playbook as a workbook (``.xlsx``, written with XlsxWriter): one sheet per table of
``export/tables.py``, with a frozen header row, filters, widths to read by, numbers as
numbers and dates as dates.

Every value is written by its type (``write_string``, ``write_number``, ``write_datetime``),
never through XlsxWriter's ``write``, which guesses: a text from a plan is always a string
cell, whatever it starts with (``export/cells.py``). The workbook's dates (its properties and
the archive's entries) are fixed, so the same playbook gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import xlsxwriter

from mission_playbook import __version__
from mission_playbook.export.cells import cell_text
from mission_playbook.export.tables import Cell, Table

#: The date written into the workbook's properties: not the clock (the same plans give the
#: same file).
FIXED_DATE = dt.datetime(2000, 1, 1)

#: Excel's number format of each kind of column (``export/tables.py``).
NUMBER_FORMATS = {
    "whole": "#,##0",
    "number": "#,##0.###",
    "amount": "#,##0.###",
    "share": "0.0%",
    "date": "yyyy-mm-dd",
}
#: The widest a column is set, in characters.
MAX_WIDTH = 60


def workbook_bytes(tables: list[Table], title: str) -> bytes:
    """The workbook of ``tables`` as the bytes of an ``.xlsx`` file."""
    out = io.BytesIO()
    options = {
        "in_memory": True,
        # belt and braces: every cell is written by its type, so no guess is ever made
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    book: Any = xlsxwriter.Workbook(out, options)
    book.set_properties(
        {
            "title": title,
            "comments": f"Made with Mission Playbook {__version__}",
            "created": FIXED_DATE,
        }
    )
    # every text cell carries the quote prefix: editing it in a spreadsheet keeps it text
    header = book.add_format(
        {"bold": True, "bottom": 1, "valign": "top", "text_wrap": True, "quote_prefix": True}
    )
    text = book.add_format({"quote_prefix": True, "valign": "top"})
    plain = book.add_format({"valign": "top"})
    formats = {
        kind: book.add_format({"num_format": fmt, "valign": "top"})
        for kind, fmt in NUMBER_FORMATS.items()
    }
    for table in tables:
        sheet = book.add_worksheet(table.title)
        for col, column in enumerate(table.columns):
            width = min(MAX_WIDTH, max(column.width, len(column.heading) + 2))
            sheet.set_column(col, col, width, formats.get(column.kind, plain))
            _write(sheet, 0, col, column.heading, header, header)
        for r, row in enumerate(table.rows, start=1):
            for col, (column, value) in enumerate(zip(table.columns, row, strict=True)):
                _write(sheet, r, col, value, formats.get(column.kind, plain), text)
        sheet.freeze_panes(1, 0)
        if table.rows:
            sheet.autofilter(0, 0, len(table.rows), len(table.columns) - 1)
    book.close()
    return out.getvalue()


def _write(sheet: Any, row: int, col: int, value: Cell, fmt: Any, text: Any) -> None:
    """One cell, written by the type of its value (``text``: the format of a text)."""
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, col, cell_text(value), text)
    elif isinstance(value, bool):  # a bool is an int in Python; the model has none
        sheet.write_string(row, col, str(value).lower(), fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt)
