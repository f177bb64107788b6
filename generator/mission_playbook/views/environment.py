"""The templates' Jinja environment: where templates are found, the filters they use, and the
store of compiled templates.

Templates are the packaged defaults (``views/templates/``), each overridable by a playbook's
own ``templates/`` folder, a whole file or one block at a time (the packaged ones are also
under the ``default/`` prefix).
"""

from __future__ import annotations

import functools
import html
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from mission_playbook.model.ladder import LABELS
from mission_playbook.views import fragments, textsafe

PACKAGED_TEMPLATES = Path(__file__).parent / "templates"


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates: in memory for the life of the process, and the packaged ones on
    disk too, beside them in ``__pycache__`` as Python keeps a module's bytecode.

    Compiling the packaged templates cost a build about 0.14 s, and under ``mkdocs serve``
    each rebuild again. Jinja keys each entry by the template's name and file and checks it
    against the source's checksum, so an edited template is compiled again. Templates of a
    playbook's own folder are kept in memory only: its files come from pull requests. On
    disk, each file's name starts with a stamp of the product's code and Jinja's version (a
    change to a filter changes code Jinja may have folded into a template) and a write
    removes the files of other stamps; a folder that cannot be written is simply not used,
    and none is written under ``PYTHONDONTWRITEBYTECODE`` (:func:`compile_packaged` writes).

    The environment's settings are fixed in :func:`environment`, so one store serves every
    renderer of the process, with one rule: Jinja applies a filter to a constant while
    compiling, so a filter whose result depends on the playbook (``text``: the glossary) must
    take the context (``jinja2.pass_context``), which Jinja never applies early; otherwise one
    playbook's glossary would stay in the code the next build runs.
    """

    def __init__(self, folder: Path | None = None, write: bool | None = None) -> None:
        self.code: dict[str, bytes] = {}
        self.folder = folder
        self.write = not sys.dont_write_bytecode if write is None else write
        self.packaged: set[str] = set()  # keys of the templates kept on disk
        self._stamp: str | None = None

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
        if bucket.key in self.packaged and self.folder is not None and self.write:
            self._write(self._file(bucket.key), code)

    def _file(self, key: str) -> str:
        if self._stamp is None:
            from mission_playbook.model.cache import code_stamp

            self._stamp = code_stamp()[:16] + "-" + jinja2.__version__
        return f"{self._stamp}-{key}.jinja"

    def _write(self, name: str, code: bytes) -> None:
        from mission_playbook.model.cache import write_atomic

        assert self.folder is not None
        write_atomic(self.folder / name, code)
        stamp = name.rsplit("-", 1)[0]
        try:
            for old in self.folder.glob("*.jinja"):
                if not old.name.startswith(stamp + "-"):
                    old.unlink(missing_ok=True)
        except OSError:
            return


_COMPILED = CompiledTemplates(PACKAGED_TEMPLATES / "__pycache__")


def environment(
    templates: Path | None, text: Callable[..., str], compiled: CompiledTemplates | None = None
) -> jinja2.Environment:
    """The templates' environment: a playbook's own folder first, then the packaged ones.

    ``text`` marks glossary terms in plan text; it must take the context (see
    :class:`CompiledTemplates`). ``compiled`` defaults to the process's store.
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
        bytecode_cache=_COMPILED if compiled is None else compiled,
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
        amount_html=amount_html,
        html=fragments.fragment,  # {% filter html %}<table>...</table>{% endfilter %}
        markdown=fragments.TemplateMarkdown(),  # {% filter markdown %}...{% endfilter %}
    )
    env.globals.update(label=lambda kind: LABELS.get(kind, kind))
    return env


def compile_packaged() -> list[str]:
    """Compile the packaged templates into their ``__pycache__``, as installing a package
    compiles its modules (``make site`` and ``make serve`` do it first); the names compiled."""
    store = CompiledTemplates(_COMPILED.folder, write=True)
    env = environment(None, jinja2.pass_context(lambda _context, value: str(value)), store)
    names = [n for n in env.list_templates(extensions=["j2"]) if "/" not in n]
    for name in names:
        env.get_template(name)  # read from the folder if there already, else compiled into it
    return names


def memoized(fn: Callable[[object], str]) -> Callable[[object], str]:
    """Remember a text filter's results: titles are escaped once, not once per link."""
    cached = functools.lru_cache(maxsize=1 << 16)(fn)

    def filt(value: object) -> str:
        return cached(value) if isinstance(value, str) else fn(value)

    return filt
