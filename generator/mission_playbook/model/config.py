"""Settings of a playbook, read from the ``playbook`` plugin's options in ``mkdocs.yml``.

The CLI and the MkDocs plugin read the same place, so there is one configuration.

On the measured warm path of ``playbook check``: the value classes of ``model/values.py``,
``typing`` for the type checker only, and the YAML library imported only to parse.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from mission_playbook.model.diagnostics import CATALOGUE, Severity, did_you_mean
from mission_playbook.model.files import DEFAULT_MAX_FILE_BYTES, Sources, read_sources
from mission_playbook.model.values import Fields

TYPE_CHECKING = False
if TYPE_CHECKING:  # the check that changed nothing does not import typing (model/values.py)
    from typing import Any

    from mission_playbook.model.cache import OptionsCache

OPTIONS = (
    "plans",
    "templates",
    "severity",
    "max_file_size",
    "cache",
    "changes",
    "generator",
    "at_risk",
    "tolerance",
    "downloads",
    "pdf",
    "provenance",
)
#: Defaults of the status thresholds (docs/model.md, "Actuals"): a result at least this share
#: of what is expected to date is at risk, below it off track; a ``maintain`` metric within
#: this share of its expected value is on track.
DEFAULT_AT_RISK = 0.85
DEFAULT_TOLERANCE = 0.05


class ConfigError(Exception):
    """A problem with the configuration: reported plainly, exit code 2."""


class Settings(Fields):
    """What the check and the site need to know beyond the plan files."""

    __slots__ = (
        "plans",
        "templates",
        "severity",
        "max_file_size",
        "cache",
        "cache_dir",
        "at_risk",
        "tolerance",
    )

    def __init__(
        self,
        plans: Path = Path("plans"),
        templates: Path = Path("templates"),
        severity: dict[str, Severity] | None = None,
        max_file_size: int = DEFAULT_MAX_FILE_BYTES,
        cache: bool = True,
        cache_dir: Path | None = None,  # None: the user's cache folder (see model/cache.py)
        at_risk: float = DEFAULT_AT_RISK,
        tolerance: float = DEFAULT_TOLERANCE,
    ) -> None:
        self.plans = plans
        self.templates = templates
        self.severity: dict[str, Severity] = {} if severity is None else severity
        self.max_file_size = max_file_size
        self.cache = cache
        self.cache_dir = cache_dir
        self.at_risk = at_risk
        self.tolerance = tolerance


def parse_severities(raw: Mapping[str, Any] | None) -> dict[str, Severity]:
    """``{PB009: error, PB011: off}`` → severities; unknown codes or values are errors."""
    out: dict[str, Severity] = {}
    for code, value in (raw or {}).items():
        if code not in CATALOGUE:
            raise ConfigError(
                f"severity: unknown check code '{code}'" + did_you_mean(str(code), CATALOGUE)
            )
        if value is False or value is None:  # YAML 1.1 reads a bare `off` as false
            value = "off"
        try:
            out[code] = Severity(str(value).lower())
        except ValueError:
            raise ConfigError(
                f"severity of {code}: '{value}' is not one of error, warning, info, off"
            ) from None
    return out


def settings_from_options(options: Mapping[str, Any], base: Path) -> Settings:
    """Settings from the plugin's options, paths relative to ``base``."""
    unknown = [k for k in options if k not in OPTIONS]
    if unknown:
        raise ConfigError(
            f"playbook plugin: unknown option '{unknown[0]}'" + did_you_mean(unknown[0], OPTIONS)
        )
    size = options.get("max_file_size", DEFAULT_MAX_FILE_BYTES)
    if not isinstance(size, int) or size <= 0:
        raise ConfigError(
            f"playbook plugin: max_file_size must be a positive number of bytes, not {size!r}"
        )
    return Settings(
        plans=base / str(options.get("plans", "plans")),
        templates=base / str(options.get("templates", "templates")),
        severity=parse_severities(options.get("severity")),
        max_file_size=size,
        cache=bool(options.get("cache", True)),
        at_risk=_share(options, "at_risk", DEFAULT_AT_RISK, above_zero=True),
        tolerance=_share(options, "tolerance", DEFAULT_TOLERANCE, above_zero=False),
    )


def _share(options: Mapping[str, Any], name: str, default: float, above_zero: bool) -> float:
    """A status threshold: a number from 0 to 1 (``at_risk`` above 0, ``tolerance`` below 1)."""
    value = options.get(name, default)
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    low, high = ("above 0", "at most 1") if above_zero else ("at least 0", "below 1")
    if number is None or not (0 < number <= 1 if above_zero else 0 <= number < 1):
        raise ConfigError(
            f"playbook plugin: {name} must be a number {low} and {high} (a share: 0.85 is 85 %), "
            f"not {value!r}"
        )
    return number


def read_mkdocs_options(config_file: Path, store: OptionsCache | None = None) -> dict[str, Any]:
    """The ``playbook`` plugin's options in an mkdocs.yml ({} when it is not listed).

    Kept in ``store``, when given, by the file's bytes (unless they say ``cache: false``), so
    a check whose result is cached does not even import the YAML library.
    """
    try:
        raw = config_file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{config_file}: cannot read the configuration: {exc.strerror}") from None
    if store is None:
        return _parse_mkdocs_options(config_file, raw)
    key = store.key(raw)
    options = store.get(key)
    if options is None:
        options = _parse_mkdocs_options(config_file, raw)
        if bool(options.get("cache", True)):  # `cache: false` writes nothing
            store.put(key, options)
    return options


def _parse_mkdocs_options(config_file: Path, raw: bytes) -> dict[str, Any]:
    from ruamel.yaml import YAML  # here: a check whose result is cached never parses YAML
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.error import YAMLError

    class Lenient(SafeConstructor):
        """Reads mkdocs.yml without executing its ``!!python/name`` or ``!ENV`` tags."""

    Lenient.add_constructor(None, lambda loader, node: None)
    yaml = YAML(typ="safe")  # the C parser: a fraction of the pure one's time
    yaml.Constructor = Lenient
    try:
        data = yaml.load(raw.decode("utf-8"))
    except (YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_file}: the configuration is not valid YAML: {exc}") from None
    plugins = data.get("plugins", []) if isinstance(data, dict) else []
    if isinstance(plugins, dict):
        plugins = [{k: v} for k, v in plugins.items()]
    for entry in plugins or []:
        if entry == "playbook":
            return {}
        if isinstance(entry, dict) and "playbook" in entry:
            options = entry["playbook"] or {}
            if not isinstance(options, dict):
                raise ConfigError(f"{config_file}: the playbook plugin's options must be a mapping")
            return options
    return {}


def load_settings(
    config_file: Path | None, plans: Path | None = None, store: OptionsCache | None = None
) -> Settings:
    """Settings from mkdocs.yml (when there is one, its options kept in ``store`` if given),
    with ``plans`` overriding its folder."""
    settings = Settings()
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"{config_file}: no such configuration file")
        base = config_file.parent
        settings = settings_from_options(read_mkdocs_options(config_file, store), base)
    if plans is not None:
        settings.plans = plans
    return settings


def read_plans(root: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Sources:
    """Read every plan file of the plans folder ``root``; a missing folder is a ConfigError."""
    if not root.is_dir():
        raise ConfigError(f"{root}: the plans folder does not exist")
    return read_sources(root, max_bytes)
