"""How long ``playbook actuals import`` takes on a CRM export (benchmarks/README.md).

Writes a synthetic playbook (``synthetic.generate``, N nodes, seed 0) and a CRM report of
leads with ROWS rows (one date column per SLA stage, dates as ``%m/%d/%Y``, a lead source
filtered by ``where``, an owner and a quoted company name), then times ``playbook actuals
import leads.csv --as-of 2027-07-15 --map crm-map.yaml`` in a fresh process RUNS times (the
check-in it writes is deleted before each run) and prints the median wall and CPU seconds. The
import writes a new check-in; ``--merge`` imports as of 2027-06-30 instead, merging into the
synthetic playbook's largest check-in (110 KB at N = 1,000), which is read and written again
with ruamel.yaml's round trip.

Run as ``python benchmarks/import_crm.py [ROWS] [--n N] [--runs RUNS] [--merge]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate

MAP = """\
stages:
  inquiry: Created Date
  mql: MQL Date
  sal: Accepted Date
  opportunity: Opportunity Date
  won: Won Date
per: month
dates: "%m/%d/%Y"
where:
  Lead Source: [Webinar, Trade show, Search]
"""
HEADER = (
    "Lead ID,Lead Source,Created Date,MQL Date,Accepted Date,Opportunity Date,Won Date,"
    "Owner,Company\n"
)
SOURCES = ("Webinar", "Trade show", "Search", "Partner")
CONVERSIONS = (0.15, 0.5, 0.6, 0.25)


def write_export(path: Path, rows: int, seed: int = 0) -> None:
    """A report of leads created in the first half of 2027, each moving on with the waterfall's
    conversions, a few days to weeks after the stage before."""
    r = Random(seed)
    start = dt.date(2027, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for i in range(rows):
            day = start + dt.timedelta(days=r.randrange(196))
            dates = [day.strftime("%m/%d/%Y")]
            reached = True
            for conversion in CONVERSIONS:
                reached = reached and r.random() < conversion
                if reached:
                    day += dt.timedelta(days=r.randrange(1, 30))
                dates.append(day.strftime("%m/%d/%Y") if reached else "")
            company = f'"Company {r.randrange(5000)}, Inc."'
            out.write(f"L-{i:06d},{r.choice(SOURCES)},{','.join(dates)},Owner {i % 40},{company}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=1000, help="nodes of the synthetic playbook")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--merge", action="store_true", help="merge into an existing check-in")
    args = parser.parse_args(argv)
    bindir = Path(sys.executable).parent
    work = Path(tempfile.mkdtemp(prefix="playbook-import-"))
    try:
        plans = generate(args.n, work, seed=0)
        export, mapping = work / "leads.csv", work / "crm-map.yaml"
        write_export(export, args.rows)
        mapping.write_text(MAP, encoding="utf-8")
        as_of = "2027-06-30" if args.merge else "2027-07-15"
        target = plans / "actuals" / f"{as_of}.yaml"
        original = target.read_bytes() if target.exists() else None
        command = [str(bindir / "playbook"), "actuals", "import", str(export), "--as-of", as_of]
        command += ["--map", str(mapping), "--plans", str(plans)]
        env = dict(os.environ, PLAYBOOK_CACHE_DIR=str(work / "cache"))
        walls, cpus = [], []
        for _ in range(args.runs):
            if original is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(original)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            walls.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if done.returncode != 0:
                print(done.stderr[-2000:], file=sys.stderr)
                return 1
        size = export.stat().st_size / 2**20
        print(done.stdout.strip())
        print(
            f"{args.rows:,} rows ({size:.1f} MiB), N={args.n}, {'merged' if args.merge else 'new'}"
            f": median {statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s "
            f"CPU ({args.runs} runs: {', '.join(f'{w:.2f}' for w in walls)})"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
