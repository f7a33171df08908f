"""A read-only view of one atlas entity, as :meth:`neuromap.atlas.Atlas.resolve` returns it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from neuromap.atlas.core import Atlas

__all__ = ["Entity"]


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
