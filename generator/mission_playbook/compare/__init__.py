"""Comparing two versions of a playbook: each taken as a snapshot of plain values
(``snapshot``), the plan diff between two snapshots (``diff``) with its impact on owners
(``impact``), and where the other version
comes from (``revisions``: a git revision, a published version, a plans folder). The diff's
Markdown and JSON are views (``views/changes.py``); nothing here imports the views or the
commands."""
