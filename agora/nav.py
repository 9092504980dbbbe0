"""Staff navigation entries that each package contributes; the composition root collects them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StaffLink:
    label: str  # an English msgid, translated when rendered
    url: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every staff member

    def visible_to(self, user: Any) -> bool:
        return not self.roles or bool(user.has_role(*self.roles))
