"""Comparing two versions of a playbook: the plan diff, and where the other version comes from
(a git revision, a published version, a plans folder)."""
