"""A generated page's addresses (``plugin/page.py``): the same as MkDocs gives any page."""

from __future__ import annotations

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from tests.test_plugin import FIXTURE

from mission_playbook.plugin.page import PlaybookPage
from mission_playbook.views.fragments import Conversion, FragmentExtension, InlineHtml

PATHS = [
    "index.md",
    "plans/mkt-abm.md",
    "print/marketing.md",
    "a b/c d.md",
    "café/plan.md",
    "x/../y.md",
    ".hidden/page.md",
    "odd%20name.md",
    "what?.md",
    "hash#tag.md",
]


@pytest.mark.parametrize("directory_urls", [True, False])
@pytest.mark.parametrize(
    "site_url",
    [None, "", "http://127.0.0.1:8000/", "https://example.org/docs", "https://example.org/a/?q#f"],
)
def test_canonical_and_absolute_addresses_are_mkdocs_own(
    site_url: str | None, directory_urls: bool
) -> None:
    config = load_config(str(FIXTURE / "mkdocs.yml"))
    config.site_url = site_url
    config.use_directory_urls = directory_urls
    conversion = Conversion(FragmentExtension(), InlineHtml())
    for path in PATHS:
        ours = PlaybookPage(None, File(path, "docs", "site", directory_urls), config, conversion)
        theirs = Page(None, File(path, "docs", "site", directory_urls), config)
        assert (ours.canonical_url, ours.abs_url) == (theirs.canonical_url, theirs.abs_url), path
