"""The link checks: each one pass over the ladder, each appending located findings.

Node checks (one document against its kind: PB002, PB013, PB014) are in ``model/validate.py``;
these look across nodes: references and rungs, orphans and coverage, functions, lifecycle,
dependencies and schedule, metrics, the demand waterfall.
"""
