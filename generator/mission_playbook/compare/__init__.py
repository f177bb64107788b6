"""Comparing two versions of a playbook: the plan diff between them (``diff``), and where the
other version comes from (``revisions``: a git revision, a published version, a plans folder).
The diff's Markdown and JSON are views (``views/changes.py``); nothing here imports the views or
the commands."""
