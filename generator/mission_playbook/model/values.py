"""Small value classes without ``dataclasses``, for the path of a check that changed nothing.

``playbook check`` with nothing changed reads the plan files, finds its stored output and
prints it again: about 40 ms, of which Python's own start is two thirds. Importing
``dataclasses`` (it imports ``inspect``), ``typing`` and OpenSSL's ``hashlib`` cost that path
another 19 ms, so the classes it uses (a finding and its place, the settings, the files read)
take equality, hashing, pickling and ``repr`` from these bases instead, driven by
``__slots__`` (each class's ``__init__`` takes its fields by these names, in this order; a
subclass lists all its fields, not only new ones); modules on that path import ``typing`` for
the type checker only.

That path is the package's ``__init__``, ``cli/__init__``, ``cli/check``, ``model/config``,
``model/cache``, ``model/files``, ``model/diagnostics`` and this module, each saying so at
its top (``tests/test_cache.py`` checks what a warm check imports). Every other module uses
``@dataclass(frozen=True, slots=True)`` (or a plain ``@dataclass`` for what changes) and
plain imports.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Self


class _Slots:
    __slots__: tuple[str, ...] = ()

    def fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed."""
        return type(self)(**{**dict(zip(self.__slots__, self.fields(), strict=True)), **changes})

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self) or not isinstance(other, _Slots):
            return NotImplemented
        return other.fields() == self.fields()

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(self.__slots__, self.fields(), strict=True))
        return f"{type(self).__name__}({shown})"


class Value(_Slots):
    """Immutable: equal and hashed by its fields."""

    __slots__: tuple[str, ...] = ()

    def __init__(self, *values: Any) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} cannot be changed")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} cannot be changed")

    def __hash__(self) -> int:
        return hash(self.fields())

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), self.fields())


class Fields(_Slots):
    """Mutable: equal by its fields, not hashable."""

    __slots__: tuple[str, ...] = ()
