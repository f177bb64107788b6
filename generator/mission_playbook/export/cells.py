"""Text in a spreadsheet cell stays text: no value from a plan ever becomes a formula.

Spreadsheets take a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and,
through a formula, a command: "CSV injection"); some also take a leading tab or carriage
return as white space before one. The workbook writes every text as a string cell (never
through a writer's guess) with Excel's quote prefix, so that editing the cell keeps it text;
the CSV files put an apostrophe before such a text, which spreadsheets read as "what follows
is text" and hide.
"""

from __future__ import annotations

#: What makes a spreadsheet read the start of a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The longest text an Excel cell holds; longer text is cut, ending with an ellipsis.
MAX_CELL_TEXT = 32_767


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would take ``text`` as the start of a formula."""
    return text.startswith(FORMULA_STARTS)


def csv_text(text: str) -> str:
    """Text for a CSV cell: an apostrophe before a text that would start a formula."""
    return "'" + text if looks_like_formula(text) else text


def cell_text(text: str) -> str:
    """Text for one workbook cell: line ends as ``\n`` (a workbook's XML would turn a bare
    carriage return into one anyway), at most :data:`MAX_CELL_TEXT` characters."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) <= MAX_CELL_TEXT:
        return text
    return text[: MAX_CELL_TEXT - 1] + "…"
