"""The files a playbook site serves besides its pages: the pinned Mermaid library (fetched and
verified at build time, carried by the wheel), the playbook's style sheet and its print style
sheet (the operation order on paper)."""

from __future__ import annotations

from pathlib import Path

from mission_playbook import __version__

ASSETS = Path(__file__).parent.parent / "assets"
MERMAID_JS = "js/mermaid.min.js"
PLAYBOOK_CSS = "css/playbook.css"
PRINT_CSS = "css/print.css"
#: The style sheets, in the order a site lists them.
STYLE_SHEETS = (PLAYBOOK_CSS, PRINT_CSS)


class MissingAsset(FileNotFoundError):
    """The Mermaid library is not in the installed package."""


def missing_mermaid() -> str:
    """What to do when the Mermaid library is missing, for an installed package and a clone."""
    return (
        f"the Mermaid library is missing from the installed mission-playbook {__version__} "
        f"({ASSETS / MERMAID_JS}): install a released package, whose wheel carries it "
        "(`pip install mission-playbook`); in a clone of the generator's own repository, run "
        "`make mermaid` first"
    )


def site_assets() -> dict[str, bytes]:
    """``{path in the site: bytes}`` of the assets; raises :class:`MissingAsset`."""
    if not (ASSETS / MERMAID_JS).is_file():
        raise MissingAsset(missing_mermaid())
    return {name: (ASSETS / name).read_bytes() for name in (MERMAID_JS, *STYLE_SHEETS)}
