"""The playbook as one JSON document, for BI tools and scripts (``playbook export --format
json``, and ``downloads/playbook.json`` in the site).

Every node once (kind, id, title, its fields as written in YAML, the nodes it supports and
those supporting it, the document holding it, its file, line and column), the demand
waterfall, the coverage of each rung, the findings, and with check-ins the actuals (each
check-in as written, each node's status, the funnel against the waterfall). Keys come in a
fixed order (the model's field order), nodes in file order, so the same plans give the same
bytes. Its JSON Schema is ``schema/export.schema.json`` (``playbook export --schema``,
``export/schema.py``).
"""

from __future__ import annotations

import json
from typing import Any

from mission_playbook import __version__
from mission_playbook.checks.funnel import Funnel
from mission_playbook.checks.status import NodeStatus
from mission_playbook.checks.waterfall import Waterfall
from mission_playbook.export.tables import number, project_file
from mission_playbook.model import kinds, records
from mission_playbook.model.ladder import NESTED, Node, drop_nodes
from mission_playbook.playbook import Playbook

#: Names the document's layout; a change that breaks a reader changes the number.
FORMAT = "mission-playbook-export/1"


def nested_paths(kind: str) -> tuple[tuple[str, ...], ...]:
    """The fields of a document kind that hold nested nodes (``success_factors`` of the
    mission...): each of those nodes is a node of the document, so its fields leave them out."""
    return tuple(attrs for attrs, _ in NESTED.get(kind, ()))


def fields_of(node: Node) -> dict[str, Any]:
    """A node's fields as written in YAML, without ``kind``, ``id`` and its nested nodes."""
    data: dict[str, Any] = records.dump(node.data)
    data.pop("kind", None)
    data.pop("id", None)
    if node.owner is None:
        for attrs in nested_paths(node.kind):
            drop_nodes(data, attrs)  # assumptions written as text stay
    return data


def node_entry(playbook: Playbook, node: Node) -> dict[str, Any]:
    ladder = playbook.ladder
    loc = node.loc()
    return {
        "kind": node.kind,
        "id": node.id,
        "title": node.title,
        "in": node.owner.id if node.owner is not None else None,
        "function": node.function if node.kind != "function" else None,
        "parents": [n.id for n in ladder.up(node)],
        "children": [n.id for n in ladder.down(node)],
        "file": project_file(playbook, loc.file),
        "line": loc.line,
        "column": loc.column,
        "fields": fields_of(node),
    }


def waterfall_entry(w: Waterfall) -> dict[str, Any]:
    sla = w.sla.record(kinds.Sla)
    stages = [s.stage.record(kinds.Stage) for s in w.stages]
    last = len(w.stages) - 1
    return {
        "sla": w.sla.id,
        "period": w.period,
        "revenue_target": sla.revenue_target,
        "run_rate_share": sla.run_rate_share,
        "marketing_share": sla.marketing_share,
        "average_deal": sla.average_deal,
        "revenue_needed": number(w.gap_revenue),
        "stages": [
            {
                "stage": s.stage.id,
                "name": stage.name,
                "owner": stage.owner,
                "conversion": stage.conversion if i != last else None,
                "needed": s.needed,
                "committed": number(s.committed) if s.committed is not None else None,
                "gap": number(s.gap) if s.gap is not None else None,
            }
            for i, (s, stage) in enumerate(zip(w.stages, stages, strict=True))
        ],
        "commitments": [
            {
                "party": party,
                "stage": s.stage.id,
                "volume": number(volume),
                "per": per,
                "per_period": number(converted),
            }
            for s in w.stages
            for party, volume, per, converted in s.commitments
        ],
    }


def _exact(value: Any) -> Any:
    return None if value is None else number(value)


def status_entry(status: NodeStatus) -> dict[str, Any]:
    """A node's status: the words, the figures of its latest actual (for a metric or a
    success factor), and the plans beneath it by status (an estimate, key task, function)."""
    latest = status.latest
    counts = status.plans
    return {
        "id": status.node.id,
        "kind": status.node.kind,
        "status": str(status.status),
        "actual": _exact(status.actual),
        "expected": _exact(status.expected),
        "target": _exact(status.target),
        "period": str(status.period) if status.period is not None else None,
        "as_of": latest.as_of.isoformat() if latest is not None else None,
        "confidence": status.confidence,
        "plans": {
            "on_track": counts.on_track,
            "at_risk": counts.at_risk,
            "off_track": counts.off_track,
            "no_data": counts.no_data,
        },
    }


def funnel_entry(funnel: Funnel) -> dict[str, Any]:
    """The funnel against the waterfall, period by period, with the lapse of each."""
    return {
        "sla": funnel.sla.id,
        "periods": [
            {
                "period": str(p.period),
                "stages": [
                    {
                        "stage": s.stage.id,
                        "volume": s.volume,
                        "needed": s.needed,
                        "short": s.short,
                        "planned_conversion": _exact(s.planned_conversion),
                        "actual_conversion": _exact(s.actual_conversion),
                        "reforecast": _exact(s.reforecast),
                    }
                    for s in p.stages
                ],
                "lapse": str(p.lapse) if p.lapse is not None else None,
            }
            for p in funnel.periods
        ],
    }


def status_section(playbook: Playbook) -> dict[str, Any] | None:
    """The actuals: the check-ins as written, each node's status, the funnel; None without
    check-ins."""
    if playbook.as_of is None:
        return None
    checkins = []
    for node in playbook.actuals.checkins:
        loc = node.loc()
        file = project_file(playbook, loc.file)
        entry = {"id": node.id, "file": file, "line": loc.line, "column": loc.column}
        checkins.append(entry | {"fields": fields_of(node)})
    statuses = (playbook.status(node_id) for node_id in playbook.ladder.nodes)
    return {
        "checkins": checkins,
        "nodes": [status_entry(s) for s in statuses if s is not None],
        "funnel": funnel_entry(playbook.funnels[0]) if playbook.funnels else None,
    }


def document(playbook: Playbook, title: str | None = None) -> dict[str, Any]:
    """The export document of a playbook (``title``: the site's name, else the mission's)."""
    mission = playbook.mission
    return {
        "format": FORMAT,
        "generator": f"Mission Playbook {__version__}",
        "title": title or (mission.title if mission is not None else "Playbook"),
        "as_of": playbook.as_of.isoformat() if playbook.as_of is not None else None,
        "nodes": [node_entry(playbook, n) for n in playbook.ladder.nodes.values()],
        "waterfall": waterfall_entry(playbook.waterfalls[0]) if playbook.waterfalls else None,
        "coverage": [
            {"rung": c.kind, "label": c.label, "total": c.total, "covered": c.covered}
            for c in playbook.coverage()
        ],
        "findings": [d.as_dict() for d in playbook.diagnostics],
        "status": status_section(playbook),
    }


def document_text(playbook: Playbook, title: str | None = None) -> str:
    """The document as compact JSON text (one line, ending with a newline): JSON for programs,
    written by the standard library's C encoder, which indented output would not use (3× the
    time at 1,000 nodes). ``python -m json.tool`` or ``jq .`` shows it indented."""
    return json.dumps(document(playbook, title), ensure_ascii=False, separators=(",", ":")) + "\n"
