"""Benchmark the playbook check and site build against two floors.

For each N (200, 1000, 5000; also 10000 with BENCH_FULL=1, or the Ns given on the command
line) this generates a synthetic playbook of N nodes and measures, in fresh subprocesses,
the median wall time and peak memory (ru_maxrss from wait4) of RUNS runs of:

- floor A: parsing every YAML file of the playbook with ruamel.yaml's safe (C) loader alone;
- floor B: `mkdocs build` of a Material site with N flat Markdown pages of the same text;
- floor C: `mkdocs build` of the playbook's own pages, rendered once, without the plugin;
- `playbook check --plans plans`, cold (cache deleted first) and warm (cache primed);
- the whole site: `mkdocs build` with the `playbook` plugin, in a git repository whose
  history holds the plans (a first commit, then 30 commits that each change one plan file),
  so that every node page shows its last commit (provenance);
- the same build with fragment-only pages left to Python-Markdown (``PageHtml`` switched off
  in the benchmark's process), to see what writing those pages directly saves;
- a rebuild as under `make serve` (`mkdocs serve --dirty`), after one plan's title changed
  (the second build only).

What is compared takes turns (floor A, check cold, check warm; then floor B, floor C, site,
rebuild; each group RUNS times), so that a change in the machine's load weighs on both sides
alike.

The product's bytecode is compiled first, as a pip install does (the floors' libraries are).
The site is measured as a user's second build runs: the packaged page templates are compiled
into the cache folder first (as the first build leaves them), and every other cache entry is
removed before each run, so the plans are parsed again.
A command that is not available yet (no `playbook` executable, plugin not installed) is
reported as "n/a". Results are printed and written to benchmarks/results.json.

Usage: python benchmarks/run.py [N ...] [--runs 3] [--keep]   (or `make bench`)
"""

from __future__ import annotations

import argparse
import compileall
import html
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from random import Random
from types import ModuleType

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results.json"
CACHE = ".playbook-cache"  # under the playbook folder, via $PLAYBOOK_CACHE_DIR
MERMAID_JS = REPO / "generator" / "mission_playbook" / "assets" / "js" / "mermaid.min.js"

FLOOR_A = """
import sys
from pathlib import Path
from ruamel.yaml import YAML
yaml = YAML(typ="safe")
for path in sorted(Path(sys.argv[1]).rglob("*.y*ml")):
    with path.open("rb") as fh:
        for _doc in yaml.load_all(fh):
            pass
"""


# `mkdocs build` (its command line, arguments as given) with PageHtml switched off: every
# generated page is converted by Python-Markdown, the fragment markers still set the HTML aside.
WITHOUT_PAGE_HTML = """
import sys
from mission_playbook.views.fragments import PageHtml
PageHtml.for_site = classmethod(lambda cls, *args: None)
from mkdocs.__main__ import cli
cli(sys.argv[1:])
"""


# What a user's first build leaves in the cache folder: the packaged page templates, compiled
# (the plugin's store, views/environment.py).
COMPILE_TEMPLATES = """
import sys
from pathlib import Path
import jinja2
from mission_playbook.views.environment import CompiledTemplates, environment
store = CompiledTemplates(Path(sys.argv[1]))
env = environment(None, jinja2.pass_context(lambda _context, value: str(value)), store)
for name in env.list_templates(extensions=["j2"]):
    if "/" not in name:
        env.get_template(name)
"""


# A rebuild as `make serve` (`mkdocs serve --dirty`) does it after an edit: the plugins kept
# from the first build (MkDocs keeps a plugin that has on_startup), the site in a folder of its
# own at the address serve gives it, then one plan's title changed (restored afterwards) and
# the site built again. Prints the second build's wall and CPU seconds and the process's peak
# RSS in KiB, then how many pages that build rendered and wrote again.
REBUILD = """
import resource, shutil, sys, tempfile, time
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
config_file, plan = sys.argv[1], Path(sys.argv[2])
url = "http://127.0.0.1:8000/"
site = tempfile.mkdtemp(prefix="rebuild-")
def load():
    config = load_config(config_file, site_dir=site)
    config.site_url = url
    return config
config = load()
config.plugins.on_startup(command="serve", dirty=True)
build(config, serve_url=url, dirty=True)
original = plan.read_text(encoding="utf-8")
try:
    plan.write_text(original.replace("title: ", "title: Revised ", 1), encoding="utf-8")
    start, cpu = time.perf_counter(), time.process_time()
    config = load()
    build(config, serve_url=url, dirty=True)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
finally:
    plan.write_text(original, encoding="utf-8")
    shutil.rmtree(site, ignore_errors=True)
plugin = config.plugins["playbook"]
pages = len(plugin.written.order)
print(f"rendered {plugin.reads.rendered} written {pages - plugin.written.kept_count} of {pages}")
print(seconds, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def load_synthetic() -> ModuleType:
    """The synthetic playbooks (``benchmarks/synthetic.py``, beside this script)."""
    sys.path.insert(0, str(HERE))
    import synthetic

    return synthetic


def find_bin() -> Path:
    """The bin folder holding mkdocs: next to this Python, else the repo's venv, else /tmp/v."""
    for cand in (Path(sys.executable).parent, REPO / ".venv" / "bin", Path("/tmp/v/bin")):
        if (cand / "mkdocs").exists():
            return cand
    return Path(sys.executable).parent


# --- sites ---------------------------------------------------------------------------------


#: Theme and Markdown settings shared by the playbook site and floor B, as in the repository's
#: own mkdocs.yml, so that the two builds differ only by the playbook plugin and the pages.
SHARED_YML = """theme:
  name: material
  font: false
  features:
    - navigation.prune
    - navigation.sections
    - content.action.edit
    - content.tooltips
markdown_extensions:
  - abbr
  - admonition
  - attr_list
  - tables
  - toc:
      permalink: true
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:mermaid2.fence_mermaid_custom
"""


def playbook_mkdocs_yml(plans: str = "plans") -> str:
    """mkdocs.yml of the playbook site: the repository's, pointed at the synthetic plans."""
    return f"""site_name: Mission Playbook benchmark
docs_dir: {plans}
edit_uri: https://example.invalid/edit/main/plans/
plugins:
  - search
  - playbook:
      plans: {plans}
{SHARED_YML}"""


#: Commits after the first in the benchmark's git history, each changing one plan file: the
#: site reads every commit back to the first to find each file's last change (provenance).
HISTORY_COMMITS = 30


def commit_history(root: Path, plans: Path) -> int:
    """Make ``root`` a git repository whose history holds the plans: a first commit of every
    file, then HISTORY_COMMITS commits that each change one plan file (a comment line, so the
    model stays the same). Dated and signed by a fixed author. The number of commits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Benchmark",
        "GIT_AUTHOR_EMAIL": "benchmark@example.invalid",
        "GIT_COMMITTER_NAME": "Benchmark",
        "GIT_COMMITTER_EMAIL": "benchmark@example.invalid",
    }

    def git(*args: str, day: int = 1) -> None:
        dated = env | {
            "GIT_AUTHOR_DATE": f"2027-01-{day:02d}T12:00:00+00:00",
            "GIT_COMMITTER_DATE": f"2027-01-{day:02d}T12:00:00+00:00",
        }
        subprocess.run(["git", *args], cwd=root, env=dated, check=True, capture_output=True)

    git("init", "-q")
    git("add", "--", plans.name)
    git("commit", "-q", "-m", "The synthetic playbook")
    files = sorted(plans.rglob("*.yaml"))
    for k in range(HISTORY_COMMITS):
        path = files[(k * 7919) % len(files)]
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"# revision {k + 1}\n")
        git("add", "--", str(path.relative_to(root)), day=2 + k % 27)
        git("commit", "-q", "-m", f"Revise {path.stem}", day=2 + k % 27)
    return HISTORY_COMMITS + 1


def write_playbook_site(root: Path) -> Path:
    """Write mkdocs.yml next to `root/plans`; return the config path."""
    config = root / "mkdocs.yml"
    config.write_text(playbook_mkdocs_yml(), encoding="utf-8")
    return config


FLOOR_B_YML = f"""site_name: Floor B
plugins:
  - search
nav:
  - index.md
{SHARED_YML}"""


def write_floor_c(root: Path, plans: Path) -> tuple[Path, int, int]:
    """The playbook's own pages, rendered once, as a plain Material site with the plugin's
    navigation and its Markdown extension: what MkDocs costs on these pages without the
    playbook plugin.

    Returns the config path, the page count and the mean text bytes per page (floor B's
    shape, see ``text_size``).
    """
    from mission_playbook import load
    from mission_playbook.plugin import navigation
    from mission_playbook.views import pages

    playbook = load(plans)
    rendered = pages.render_pages(playbook)
    docs = root / "docs"
    for path, text in rendered.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")
    config = root / "mkdocs.yml"
    nav = json.dumps(navigation(playbook))  # JSON is YAML
    # the Markdown extension the plugin adds: the pages' HTML fragments pass through as they
    # do in the site, instead of being parsed as raw HTML
    extension = "  - mission_playbook.views.fragments:FragmentExtension\n"
    config.write_text(f"site_name: Floor C\nnav: {nav}\n{SHARED_YML}{extension}", "utf-8")
    total = sum(text_size(text) for text in rendered.values())
    return config, len(rendered), total // max(1, len(rendered))


_MARKUP = re.compile(r"<!--.*?-->|<[^>]*>|\]\([^)\n]*\)|^\*\[.*$", re.S | re.M)


def text_size(page: str) -> int:
    """Bytes of text a reader gets from a page: without front matter, HTML tags and comments,
    link targets and abbreviation definitions. Floor B's pages carry as much text as the
    playbook's: sizing them by source bytes instead would make the floor heavier whenever
    the playbook's pages write more markup for the same content (HTML is wordier than
    Markdown)."""
    body = page.split("\n---\n", 1)[1] if page.startswith("---\n") else page
    return len(html.unescape(_MARKUP.sub("", body)).encode())


WORDS = [
    "pipeline",
    "account",
    "buyer",
    "campaign",
    "funnel",
    "renewal",
    "quota",
    "territory",
    "enablement",
    "partner",
    "launch",
    "persona",
    "journey",
    "value",
    "discovery",
    "demo",
    "forecast",
    "churn",
    "adoption",
    "health",
    "segment",
    "market",
    "mission",
    "intent",
    "estimate",
    "plan",
    "metric",
    "outcome",
    "leading",
    "activity",
    "stage",
    "conversion",
    "revenue",
]


def write_floor_b(root: Path, n: int, page_text: int = 1500) -> Path:
    """A Material site of `n` flat pages of about `page_text` bytes of text each (as
    ``text_size`` counts it), listed in no nav."""
    rng = Random(n)
    docs = root / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Floor B\n", encoding="utf-8")

    def sentence() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."

    for i in range(n):
        links = " ".join(f"[page {j}](page-{j:05d}.md)" for j in rng.sample(range(n), 2))
        rows = "\n".join(
            f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} | {rng.choice(WORDS)} |"
            for _ in range(3)
        )
        text = (
            f"# Page {i}: {rng.choice(WORDS)} {rng.choice(WORDS)}\n\n"
            f"{' '.join(sentence() for _ in range(5))}\n\n"
            f"## Details\n\n"
            + "".join(f"- {sentence()}\n" for _ in range(4))
            + f"\n| name | value | note |\n|---|---|---|\n{rows}\n\n"
            f"{' '.join(sentence() for _ in range(3))}\n\nSee also {links}.\n"
        )
        grown = 0
        while text_size(text) < page_text:  # grow to the playbook pages' mean text
            if grown % 6 == 0:  # a section of up to six sentences
                text += f"\n## {rng.choice(WORDS).capitalize()}\n\n"
            text += sentence() + " "
            grown += 1
        (docs / f"page-{i:05d}.md").write_text(text, encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(FLOOR_B_YML, encoding="utf-8")
    return config


# --- measuring -----------------------------------------------------------------------------


@dataclass
class Measurement:
    """Medians over runs (wall and CPU seconds, peak MiB), or a status saying why none."""

    status: str = "ok"  # ok | n/a | err
    seconds: float | None = None
    cpu_seconds: float | None = None
    mib: float | None = None
    runs: list[tuple[float, float, float]] = field(default_factory=list)  # wall, cpu, MiB
    note: str = ""

    def summarise(self) -> Measurement:
        """Set the medians of the runs; returns itself."""
        self.seconds, self.cpu_seconds, self.mib = (
            statistics.median(col) for col in zip(*self.runs, strict=True)
        )
        return self

    def cell(self) -> str:
        if self.seconds is None or self.mib is None:
            return self.status
        return f"{self.seconds:7.2f}s {self.mib:5.0f}M"


# Runs the command and reports its wall time, CPU time and peak RSS. A child's ru_maxrss
# starts from the RSS of the process that forked it (Linux keeps the high-water mark across
# exec), so the command is started from this small interpreter, not from the benchmark.
TIMER = """
import resource, subprocess, sys, time
start = time.perf_counter()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(rc, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def run_once(
    cmd: list[str], cwd: Path, env: dict[str, str], python: str
) -> tuple[int, tuple[float, float, float], str]:
    """Run `cmd`; return (exit code, (wall s, CPU s, peak MiB) of it and its children, stderr)."""
    with tempfile.TemporaryFile() as err:
        done = subprocess.run(
            [python, "-c", TIMER, *cmd], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=err
        )
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
    rc, seconds, cpu, kib = done.stdout.split()
    sample = (round(float(seconds), 4), round(float(cpu), 4), round(int(kib) / 1024, 1))
    return int(rc), sample, tail


@dataclass
class Job:
    """A command to measure: where it runs, what to do before each run, and the stderr text
    that means "not installed" (reported as n/a rather than err)."""

    cmd: list[str]
    cwd: Path
    prepare: Callable[[], None] | None = None
    missing: str | None = None
    reports: bool = False  # prints its own "wall CPU KiB" last (REBUILD), is not timed here


def measure(
    jobs: dict[str, Job], *, env: dict[str, str], runs: int, python: str
) -> dict[str, Measurement]:
    """Medians of `runs` runs of each job, the jobs taking turns (A B C, A B C, ...), so that
    a change in the machine's load between runs weighs on every job alike; "n/a" when the
    command or (per `missing`) the plugin is absent, "err" when it fails."""
    out: dict[str, Measurement] = {}
    for name, job in jobs.items():
        if not Path(job.cmd[0]).exists():
            out[name] = Measurement("n/a", note=f"{job.cmd[0]} not found")
        else:
            out[name] = Measurement()
    for _ in range(runs):
        for name, job in jobs.items():
            m = out[name]
            if m.status != "ok":
                continue
            if job.prepare:
                job.prepare()
            run = run_reporting if job.reports else run_once
            rc, sample, tail = run(job.cmd, job.cwd, env, python)
            if rc != 0:
                unavailable = job.missing is not None and job.missing in tail
                out[name] = Measurement("n/a" if unavailable else "err", note=f"exit {rc}: {tail}")
                continue
            m.runs.append(sample)
    return {name: m.summarise() if m.status == "ok" else m for name, m in out.items()}


def run_reporting(
    cmd: list[str], cwd: Path, env: dict[str, str], python: str
) -> tuple[int, tuple[float, float, float], str]:
    """Run `cmd`, which prints its own wall, CPU seconds and peak KiB on its last line."""
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return done.returncode, (0.0, 0.0, 0.0), done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    seconds, cpu, kib = lines[-1].split()
    print(f"    {' '.join(lines[:-1])}", file=sys.stderr, flush=True)
    sample = (round(float(seconds), 4), round(float(cpu), 4), round(int(kib) / 1024, 1))
    return 0, sample, ""


def tree_size(path: Path) -> dict[str, int]:
    """Bytes and files under `path`."""
    files = [p for p in path.rglob("*") if p.is_file()] if path.exists() else []
    return {"bytes": sum(p.stat().st_size for p in files), "files": len(files)}


NAMES = (
    "floor_a",
    "floor_b",
    "floor_c",
    "check_cold",
    "check_warm",
    "site",
    "site_markers",
    "rebuild",
)
RATIOS = (
    ("check_cold/floor_a", "check_cold", "floor_a"),
    ("check_warm/check_cold", "check_warm", "check_cold"),
    ("site/floor_b", "site", "floor_b"),
    ("site/floor_c", "site", "floor_c"),
    ("floor_c/floor_b", "floor_c", "floor_b"),
    ("rebuild/site", "rebuild", "site"),
    ("site/markers", "site", "site_markers"),
)


@dataclass
class Result:
    """The measurements for one N."""

    n: int
    generate_seconds: float
    yaml: dict[str, int]
    measurements: dict[str, Measurement]
    output: dict[str, dict[str, int]]

    def ratio(self, a: str, b: str) -> float | None:
        sa, sb = self.measurements[a].seconds, self.measurements[b].seconds
        return None if sa is None or not sb else round(sa / sb, 2)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["ratios"] = {name: self.ratio(a, b) for name, a, b in RATIOS}
        return data


def bench_one(n: int, work: Path, bindir: Path, runs: int, synthetic: ModuleType) -> Result:
    """All measurements for one N."""
    python, mkdocs, playbook = (str(bindir / x) for x in ("python", "mkdocs", "playbook"))

    root = work / f"playbook-{n}"
    cache = root / CACHE
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PLAYBOOK_CACHE_DIR=str(cache))
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    start = time.perf_counter()
    plans = synthetic.generate(n, root, seed=0)
    generate_s = time.perf_counter() - start
    commit_history(root, plans)  # the site shows each page's last commit (provenance)
    config = write_playbook_site(root)
    floor_c_config, page_count, page_text = write_floor_c(work / f"floor-c-{n}", plans)
    floor_b_config = write_floor_b(work / f"floor-b-{n}", page_count, page_text)

    def clear_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def clear_all_but_templates() -> None:
        """A user's second build after every plan changed: the templates stay compiled."""
        for entry in cache.iterdir() if cache.is_dir() else []:
            if entry.is_dir() and entry.name != "templates":
                shutil.rmtree(entry)
            elif entry.is_file():
                entry.unlink()

    def log(what: str) -> None:
        print(f"  N={n}: {what}", file=sys.stderr, flush=True)

    check = [playbook, "check", "--plans", str(plans)]
    log("floor A, check cold and warm, taking turns")
    m = measure(
        {
            "floor_a": Job([python, "-c", FLOOR_A, str(plans)], root),
            "check_cold": Job(check, root, prepare=clear_cache),
            "check_warm": Job(check, root),  # the cold run just before it primed the cache
        },
        env=env,
        runs=runs,
        python=python,
    )
    if m["check_cold"].status != "ok":
        m["check_warm"] = Measurement(m["check_cold"].status, note="check cold was not ok")
    log("floor B, floor C, the site, the site without PageHtml and a rebuild, taking turns")
    subprocess.run(
        [python, "-c", COMPILE_TEMPLATES, str(cache / "templates")], env=env, check=False
    )
    site = ["build", "-q", "-f", str(config)]
    plan = min((plans / "functions").glob("*/*.yaml"))  # a supporting plan
    m |= measure(
        {
            "floor_b": Job([mkdocs, "build", "-q", "-f", str(floor_b_config)], work),
            "floor_c": Job([mkdocs, "build", "-q", "-f", str(floor_c_config)], work),
            "site": Job(
                [mkdocs, *site],
                root,
                prepare=clear_all_but_templates,
                missing='"playbook" plugin is not installed',
            ),
            "site_markers": Job(
                [python, "-c", WITHOUT_PAGE_HTML, *site], root, prepare=clear_all_but_templates
            ),
            "rebuild": Job(
                [python, "-c", REBUILD, str(config), str(plan)],
                root,
                missing='"playbook" plugin is not installed',
                reports=True,
            ),
        },
        env=env,
        runs=runs,
        python=python,
    )
    empty = {"bytes": 0, "files": 0}
    output = {
        "site": tree_size(root / "site") if m["site"].status == "ok" else empty,
        "floor_b": tree_size(floor_b_config.parent / "site"),
    }
    return Result(n, round(generate_s, 3), tree_size(plans), m, output)


def report(results: list[Result]) -> None:
    """Print the timing table and the output sizes."""
    head = f"{'N':>6} {'gen':>6} " + " ".join(f"{x:>14}" for x in NAMES)
    head += "  cold/A  warm/cold  site/B  site/C  C/B  rebuild/site  site/markers"
    print(head)
    print("-" * len(head))
    for r in results:
        ratios = [r.ratio(a, b) for _name, a, b in RATIOS]
        fmt = [f"{v:.2f}" if v is not None else "n/a" for v in ratios]
        print(
            f"{r.n:>6} {r.generate_seconds:>5.2f}s "
            + " ".join(f"{r.measurements[x].cell():>14}" for x in NAMES)
            + f"  {fmt[0]:>6}  {fmt[1]:>9}  {fmt[2]:>6}  {fmt[3]:>6}  {fmt[4]:>4}  {fmt[5]:>12}"
            + f"  {fmt[6]:>12}"
        )
    print()
    print(
        f"{'N':>6} {'YAML KiB':>9} {'site MiB':>9} {'files':>7} {'KiB/node':>9}"
        f" {'floor B MiB':>12} {'files':>7}"
    )
    for r in results:
        site, fb = r.output["site"], r.output["floor_b"]
        print(
            f"{r.n:>6} {r.yaml['bytes'] / 1024:>9.0f} {site['bytes'] / 2**20:>9.1f}"
            f" {site['files']:>7} {site['bytes'] / 1024 / r.n:>9.1f}"
            f" {fb['bytes'] / 2**20:>12.1f} {fb['files']:>7}"
        )
    print()
    print(f"CPU seconds (user+sys)\n{'N':>6} " + " ".join(f"{x:>10}" for x in NAMES))
    for r in results:
        cpu = [r.measurements[x].cpu_seconds for x in NAMES]
        print(
            f"{r.n:>6} " + " ".join(f"{c:>10.2f}" if c is not None else f"{'n/a':>10}" for c in cpu)
        )
    for r in results:
        for name in NAMES:
            if r.measurements[name].status == "err":
                print(f"\nN={r.n} {name} failed: {r.measurements[name].note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ns", nargs="*", type=int, help="sizes (default 200 1000 5000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    ns = args.ns or [200, 1000, 5000] + ([10000] if os.environ.get("BENCH_FULL") == "1" else [])
    bindir = find_bin()
    synthetic = load_synthetic()
    # Measure the product as installed: pip compiles a package's bytecode when it installs
    # it, but an editable install under PYTHONDONTWRITEBYTECODE=1 (set on these machines)
    # would compile every module again in every run, while the floors' libraries are compiled.
    compileall.compile_dir(REPO / "generator", quiet=1)
    work = Path(tempfile.mkdtemp(prefix="playbook-bench-"))
    print(f"bin: {bindir}  work: {work}  runs: {args.runs}", file=sys.stderr)
    try:
        results = [bench_one(n, work, bindir, args.runs, synthetic) for n in ns]
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report(results)
    meta = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "runs": args.runs,
        "bin": str(bindir),
    }
    data = {"meta": meta, "results": [r.to_json() for r in results]}
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
