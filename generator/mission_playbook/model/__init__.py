"""The model and its loading: plan files read and parsed with their positions, each document
validated against its kind, every node indexed by id and the ``supports`` links resolved into
the ladder. Also the findings (codes, severities, places), the settings and the caches.

Nothing here imports the checks, the views or the shells above it.
"""
