"""A tenant's scale of levels (how well someone knows a skill), and the rules a level value follows.

A scale has 2 to 7 named levels, lowest first; a level is its position from 1. A tenant that never
changed its scale has no `levels` rows and uses DEFAULT_SCALE. A holding's or an issue's level is
an integer of the scale or None (not rated / any level). No Flask in here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Level, Tenant
from .errors import InvalidInput

LEVELS_MIN = 2
DESCRIPTION_MAX = 500


@dataclass(frozen=True)
class ScaleLevel:
    level: int
    name: str
    description: str = ""


@dataclass(frozen=True)
class Scale:
    """A tenant's levels, lowest first, and the lowest level that counts as an expert."""

    levels: tuple[ScaleLevel, ...]
    expert_level: int

    @property
    def top(self) -> int:
        return len(self.levels)

    def name_of(self, level: int) -> str:
        return self.levels[level - 1].name

    def as_json(self) -> dict[str, Any]:
        """The contract's answer of GET /api/levels."""
        return {"levels": [{"level": entry.level, "name": entry.name, "description": entry.description}
                           for entry in self.levels],
                "expertLevel": self.expert_level}


DEFAULT_SCALE = Scale(tuple(ScaleLevel(n, name) for n, name in
                            enumerate(("Beginner", "Competent", "Proficient", "Expert"), start=1)),
                      expert_level=3)


def load_scale(session: Session, tenant_id: int) -> Scale:
    """The tenant's scale: its stored levels, or DEFAULT_SCALE when it has none."""
    rows = session.execute(select(Level.level, Level.name, Level.description)
                           .where(Level.tenant_id == tenant_id).order_by(Level.level)).all()
    if not rows:
        return DEFAULT_SCALE
    expert = session.execute(select(Tenant.expert_level).where(Tenant.id == tenant_id)).scalar_one_or_none()
    levels = tuple(ScaleLevel(level, name, description or "") for level, name, description in rows)
    return Scale(levels, expert if expert is not None and 1 <= expert <= len(levels) else DEFAULT_SCALE.expert_level)


class InvalidLevel(InvalidInput):
    """A level value that is neither an integer of the scale nor null."""


def check_level(value: Any, scale: Scale, what: str = "A level") -> int | None:
    """`value` as a level of `scale` (an int from 1 to its top) or None; anything else is refused.

    JSON's true/false are not levels, nor "3" or 2.5 or 3.0: only integers, as the contract says.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= scale.top:
        raise InvalidLevel(f"{what} must be a whole number from 1 to {scale.top} (the levels of this site's "
                           f"scale) or null for not rated; got {_shown(value)}.")
    return value


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value[:40]}"'
    return text[:60]


