"""A small immutable record base for the value types.

Why not dataclasses: importing ``dataclasses`` (and ``typing``) costs more
than the rest of the package put together (it pulls in ``inspect`` and
``re``), and a measurement package is imported into every training script.
A subclass declares its fields as class annotations, sets
``__slots__ = tuple(__annotations__)`` and writes a typed ``__init__`` that
ends with ``_fill(self, locals())``; this base gives equality, hashing, a
repr, ``to_dict()``, pickling and read-only attributes.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Mapping, Tuple, Type


def _fill(obj: "_Value", values: "Mapping[str, Any]") -> None:
    """Set every field of obj from the __init__ locals (names must match the slots)."""
    for name in obj.__slots__:
        object.__setattr__(obj, name, values[name])


def _plain(v: "Any") -> "Any":
    if isinstance(v, _Value):
        return v.to_dict()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _rebuild(cls: "Type[_Value]", values: "Tuple[Any, ...]") -> "_Value":
    obj: _Value = object.__new__(cls)
    for name, v in zip(obj.__slots__, values):
        object.__setattr__(obj, name, v)
    return obj


class _Value:
    __slots__: "Tuple[str, ...]" = ()

    def _values(self) -> "Tuple[Any, ...]":
        return tuple(getattr(self, n) for n in self.__slots__)

    def to_dict(self) -> "Dict[str, Any]":
        """The fields as a dict (nested values too; tuples as lists), ready for ``json.dumps``."""
        return {n: _plain(getattr(self, n)) for n in self.__slots__}

    def __setattr__(self, name: str, value: "Any") -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined, no-any-return]

    def __hash__(self) -> int:
        return hash((type(self).__name__,) + self._values())

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({inner})"

    def __reduce__(self) -> "Tuple[Any, ...]":
        return (_rebuild, (type(self), self._values()))
