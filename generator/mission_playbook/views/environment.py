"""The templates' Jinja environment: where templates are found, the filters they use, and the
store of compiled templates.

Templates are the packaged defaults (``views/templates/``), each overridable by a playbook's
own ``templates/`` folder, a whole file or one block at a time (the packaged ones are also
under the ``default/`` prefix).
"""

from __future__ import annotations

import functools
import hashlib
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from mission_playbook.model.cache import code_stamp, default_dir, write_atomic
from mission_playbook.model.config import Settings
from mission_playbook.model.ladder import LABELS
from mission_playbook.views import fragments, results, textsafe

PACKAGED_TEMPLATES = Path(__file__).parent / "templates"


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates: in memory for the life of the store, and the packaged ones on disk
    too when the store has a ``folder`` (as Jinja's ``FileSystemBytecodeCache`` keeps them).

    Compiling the packaged templates cost a build about 0.14 s, and under ``mkdocs serve``
    each rebuild again. Jinja keys each entry by the template's name and file and checks it
    against the source's checksum, so an edited template is compiled again. Templates of a
    playbook's own folder are kept in memory only: its files come from pull requests.

    The store never chooses a folder itself: the shells (the MkDocs plugin, ``playbook
    render``) pass one under the user's cache folder (:func:`cache_folder`), or none under
    ``cache: false``. On disk, each file's name starts with a tag of the installed package
    and a stamp of its code and Jinja's version (a change to a filter changes code Jinja may
    have folded into a template); a write removes the files of the same installation with
    another stamp. A folder that cannot be read or written is simply not used, and a damaged
    file is compiled again.

    The environment's settings are fixed in :func:`environment`, so one store serves every
    renderer of a process, with one rule: Jinja applies a filter to a constant while
    compiling, so a filter whose result depends on the playbook (``text``: the glossary) must
    take the context (``jinja2.pass_context``), which Jinja never applies early; otherwise one
    playbook's glossary would stay in the code the next build runs.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.code: dict[str, bytes] = {}
        self.folder = folder
        self.packaged: set[str] = set()  # keys of the templates kept on disk
        self._prefix: str | None = None

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        key = super().get_cache_key(name, filename)
        if filename is not None and Path(filename).parent == PACKAGED_TEMPLATES:
            self.packaged.add(key)
        return key

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is None and bucket.key in self.packaged and self.folder is not None:
            try:
                code = (self.folder / self._file(bucket.key)).read_bytes()
            except OSError:
                return
        if code is not None:
            try:
                bucket.bytecode_from_string(code)
            except Exception:  # a damaged file (Jinja unpickles its header): compile again
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code[bucket.key] = bucket.bytecode_to_string()
        if bucket.key in self.packaged and self.folder is not None:
            self._write(self._file(bucket.key), code)

    def _file(self, key: str) -> str:
        """``<installation>-<code stamp>-<Jinja version>-<key>.jinja``."""
        if self._prefix is None:
            installation = _installation()
            self._prefix = f"{installation}-{code_stamp()[:16]}-{jinja2.__version__}"
        return f"{self._prefix}-{key}.jinja"

    def _write(self, name: str, code: bytes) -> None:
        assert self.folder is not None and self._prefix is not None
        write_atomic(self.folder / name, code)
        installation = self._prefix.partition("-")[0]
        try:
            for old in self.folder.glob(f"{installation}-*.jinja"):
                if not old.name.startswith(self._prefix + "-"):
                    old.unlink(missing_ok=True)
        except OSError:
            return


def _installation() -> str:
    """A short tag of where the package is installed: two installations sharing a cache folder
    (two virtual environments, two clones) keep their own files."""
    return hashlib.blake2b(str(PACKAGED_TEMPLATES).encode(), digest_size=6).hexdigest()


def cache_folder(settings: Settings) -> Path | None:
    """Where compiled templates are kept on disk for these settings: ``templates/`` in the
    cache folder, or None under ``cache: false`` (what the shells give ``CompiledTemplates``)."""
    if not settings.cache:
        return None
    return (settings.cache_dir or default_dir()) / "templates"


#: The store of a renderer that is given none: in memory, for the life of the process.
IN_MEMORY = CompiledTemplates()


def environment(
    templates: Path | None,
    text: Callable[..., str],
    compiled: CompiledTemplates | None = None,
    block: Callable[..., str] | None = None,
) -> jinja2.Environment:
    """The templates' environment: a playbook's own folder first, then the packaged ones.

    ``text`` marks glossary terms in plan text, and ``block`` converts a text of several
    paragraphs on its own (``md_html``); both must take the context (see
    :class:`CompiledTemplates`). ``compiled`` defaults to :data:`IN_MEMORY`.
    """
    packaged = jinja2.FileSystemLoader(str(PACKAGED_TEMPLATES))
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None and templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders += [jinja2.PrefixLoader({"default": packaged}), packaged]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,  # the output is Markdown: text is escaped by the filters below
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a Renderer lives for one build: no stat of the templates per page
        bytecode_cache=IN_MEMORY if compiled is None else compiled,
    )

    @jinja2.pass_context
    def amount_html(context: Any, value: object, unit: object = None, per: object = None) -> str:
        """``amount`` in an HTML fragment: ``225 MQLs a month``, the text through ``text``."""
        if value is None or value == "":
            return ""
        shown = [text(context, value) if isinstance(value, str) else textsafe.number(value)]
        if unit:
            shown.append(text(context, unit))
        if per:
            shown.append(f"a {html.escape(str(per))}")
        return " ".join(shown)

    env.filters.update(
        md=textsafe.markdown_block,
        inline=memoized(textsafe.markdown_inline),
        cell=memoized(textsafe.table_cell),
        number=textsafe.number,
        amount=textsafe.amount,
        text=text,  # plan text in an HTML fragment
        md_html=block or _no_block,  # plan text of several paragraphs, as a fragment of its own
        amount_html=amount_html,
        html=fragments.fragment,  # {% filter html %}<table>...</table>{% endfilter %}
        markdown=fragments.TemplateMarkdown(),  # {% filter markdown %}...{% endfilter %}
        figure=results.figure,  # an actual as written: 44.5, 1,234
        percent=results.percent,  # a share: 32.9%
        needed=results.needed,  # a count to reach, rounded up: 1,234
        counted=results.counted,  # statuses counted: "2 on track, 1 off track"
    )
    env.globals.update(label=lambda kind: LABELS.get(kind, kind))
    return env


@jinja2.pass_context
def _no_block(_context: jinja2.runtime.Context, value: object) -> str:
    """``md_html`` without a glossary: the text converted on its own."""
    return fragments.BlockHtml()(value)


def memoized(fn: Callable[[object], str]) -> Callable[[object], str]:
    """Remember a text filter's results: titles are escaped once, not once per link."""
    cached = functools.lru_cache(maxsize=1 << 16)(fn)

    def filt(value: object) -> str:
        return cached(value) if isinstance(value, str) else fn(value)

    return filt
