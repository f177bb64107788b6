"""Mission Playbook: mission plans as YAML, checked up the ladder, published as a site.

The core is a pure function from a plans folder to a model and diagnostics::

    from generator import load
    playbook = load("plans")
    for finding in playbook.diagnostics:
        print(finding)
"""

from generator.playbook import Playbook, load

__version__ = "0.1.0"
__all__ = ["Playbook", "__version__", "load"]
