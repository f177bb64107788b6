"""Mission Playbook: mission plans as YAML, checked up the ladder, published as a site.

The core is a pure function from a plans folder to a model and diagnostics::

    from mission_playbook import load
    playbook = load("plans")
    for finding in playbook.diagnostics:
        print(finding)

Every command imports this module first, so it is on the measured warm path of ``playbook
check``: ``load`` and ``Playbook`` import the model on first use, and ``typing`` is imported
for the type checker only (``model/values.py``).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is imported for the type checker only (model/values.py)
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.2.0"
__all__ = ["Playbook", "__version__", "load"]

if TYPE_CHECKING:
    from mission_playbook.playbook import Playbook, load
else:

    def __getattr__(name: str) -> Any:
        """``load`` and ``Playbook`` import the model on first use, not with the package."""
        if name in ("Playbook", "load"):
            from mission_playbook import playbook

            return getattr(playbook, name)
        raise AttributeError(f"module 'mission_playbook' has no attribute {name!r}")
