"""``python -m mission_playbook``: the ``playbook`` command."""

from mission_playbook.cli import main

raise SystemExit(main())
