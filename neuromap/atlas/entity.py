"""A read-only view of one atlas entity (:meth:`~neuromap.atlas.Atlas.resolve`), and how a name was read.

:class:`NameMatch` is what :meth:`neuromap.atlas.Atlas.match` returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from neuromap.atlas.core import Atlas

__all__ = ["Entity", "NameMatch"]


class Entity:
    """A read-only view of one atlas entity: a root, nerve, region, muscle, movement, ...

    Returned by :meth:`Atlas.resolve` and ``atlas[...]``. Its methods answer from the atlas.

    Examples
    --------
    >>> import neuromap
    >>> atlas = neuromap.load_atlas()
    >>> atlas["deep peroneal nerve"]
    <Entity nerve 'deep_fibular' | Deep fibular nerve>
    >>> "first_web_space" in atlas["deep_fibular"].regions()
    True
    """

    __slots__ = ("_atlas", "attrs", "id", "kind", "label")

    def __init__(self, atlas: Atlas, id: str, kind: str, attrs: Mapping[str, Any]) -> None:
        self._atlas = atlas
        self.id = id
        self.kind = kind
        self.label: str = attrs["label"]
        #: The entity's attributes (read-only): its node's in the graph, or its entry in groups.json or signs.json.
        self.attrs = attrs

    def __repr__(self) -> str:
        return f"<Entity {self.kind} {self.id!r} | {self.label}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entity) and (self.id, self.kind) == (other.id, other.kind)

    def __hash__(self) -> int:
        return hash((self.id, self.kind))

    def regions(self, *, dermatome_map: str | None = None) -> dict[str, float]:
        """Regions this entity reaches, with weights (see :meth:`Atlas.regions_for`)."""
        return self._atlas.regions_for(self.id, dermatome_map=dermatome_map)

    def muscles(self) -> dict[str, float]:
        """Muscles this entity supplies, with weights (see :meth:`Atlas.muscles_for`)."""
        return self._atlas.muscles_for(self.id)

    def movements(self) -> dict[str, float]:
        """Movements this entity takes part in, with weights (see :meth:`Atlas.movements_for`)."""
        return self._atlas.movements_for(self.id)

    def nerves(self) -> tuple[str, ...]:
        """Nerves involved: those carrying a root, below a nerve, or supplying a target."""
        return self._atlas.nerves_for(self.id)

    def roots(self, *, dermatome_map: str | None = None) -> dict[str, float]:
        """Roots of this entity with weights (see :meth:`Atlas.roots_for`)."""
        return self._atlas.roots_for(self.id, dermatome_map=dermatome_map)


@dataclass(frozen=True)
class NameMatch:
    """How a name was read: the entity, a side named in it, and whether it was normalised or corrected.

    Returned by :meth:`Atlas.match`.

    Attributes
    ----------
    entity : Entity
        The entity the name names.
    text : str
        The name as written.
    side : str or None
        ``"left"``, ``"right"`` or ``"bilateral"`` when the name carries a side word ('L heel').
    how : str
        ``"exact"`` (an id, label, alias or term, folded), ``"normalised"`` (after dropping
        fillers, making plurals singular, word synonyms or another word order) or
        ``"corrected"`` (a misspelling corrected).
    corrected : str or None
        The name as corrected, for ``how == "corrected"``.

    Examples
    --------
    >>> import neuromap
    >>> m = neuromap.load_atlas().match("gastrocnemeus", "muscle")
    >>> m.entity.id, m.how, m.corrected
    ('gastrocnemius', 'corrected', 'gastrocnemius')
    """

    entity: Entity
    text: str
    side: str | None
    how: str
    corrected: str | None = None
