"""``python -m bench [--quick]``: every benchmark, one at a time, and the results table.

Each benchmark runs in a process of its own (the machine has two cores: nothing else of
ours runs beside it). Results are appended as JSON lines to ``results.jsonl`` (quick runs:
``results-quick.jsonl``) in the benchmark folder (``/tmp/commonplace-bench``, or
``COMMONPLACE_BENCH_DIR``), then printed as a Markdown table and kept beside it as
``results.md``; ``--write`` also puts that table into BENCHMARKS.md, provided it holds every
benchmark. ``--only`` re-runs some benchmarks and keeps the others' latest results. The
exit status is 0 when every target is met, 3 when some are not, 1 when a benchmark failed
to run or measured nothing.
The shared PostgreSQL dataset is dropped at the end unless ``--keep``; the SQLite one stays
as a file for the next run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench import dataset
from bench.common import BACKENDS, WORK, Result, Sizes, drop_postgres, machine, read_results

BENCHMARKS = (
    "importing",
    "koreader",
    "kobo",
    "searching",
    "selecting",
    "reviewing",
    "fanout",
    "commands",
    "tapping",
    "memory",
    "cards",
    "inline",
)
LABELS = {
    "importing": "import",
    "koreader": "koreader import",
    "kobo": "kobo import",
    "searching": "search",
    "selecting": "selection",
    "reviewing": "review pick",
    "fanout": "fan-out",
    "commands": "commands",
    "tapping": "Next tap",
    "memory": "memory",
    "cards": "cards",
    "inline": "inline",
}
USES_DATASET = {"searching", "selecting", "commands", "memory", "inline"}
ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- results:start -->", "<!-- results:end -->"


def table(results: list[Result]) -> str:
    """The results as a Markdown table, targets first within each benchmark."""
    lines = [
        "| Benchmark | Figure | Backend | Measured | Target | Met? | Notes |",
        "| --- | --- | --- | ---: | --- | --- | --- |",
    ]
    for result in results:
        met = "" if result.met is None else ("yes" if result.met else "**NO**")
        lines.append(
            f"| {result.benchmark} | {result.figure} | {result.backend} | "
            f"{_shown(result.value)} {result.unit} | {result.target} | {met} | {result.note} |"
        )
    return "\n".join(lines)


def _shown(value: float) -> str:
    if value >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.2f}" if value >= 1 else f"{value:.3f}"


def report(results: list[Result], command: str, seconds: float) -> str:
    """The whole results section: machine, command, table, and what was not met."""
    facts = machine()
    missed = [r for r in results if r.met is False]
    summary = (
        "Every target was met."
        if not missed
        else "Targets not met: "
        + "; ".join(
            f"{r.benchmark} {r.figure}" + (f" [{r.backend}]" if r.backend else "") for r in missed
        )
        + "."
    )
    return "\n".join(
        [
            f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {seconds / 60:.0f} minutes with "
            f"`{command}`.",
            "",
            f"Machine: {facts['cpu']}, {facts['cores']} cores, {facts['memory_gb']} GB; "
            f"Linux {facts['kernel']}; Python {facts['python']}; SQLite {facts['sqlite']}; "
            f"PostgreSQL {facts['postgres']}. One core's speed when the run ended: a reference "
            f"workload took {facts['reference_ms'][0]:.0f} to {facts['reference_ms'][1]:.0f} ms "
            "(`bench.common.cpu_reference_ms`, lower is faster).",
            "",
            table(results),
            "",
            summary,
        ]
    )


def write_into(path: Path, section: str) -> None:
    """Replace the text between the result markers of ``path``."""
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{path} has no {START} ... {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{section}\n{END}{tail}", encoding="utf-8")


def main() -> None:
    """Run the chosen benchmarks one after another and report."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated names")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL dataset")
    args = parser.parse_args()
    asked = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in asked if name not in BENCHMARKS]
    if unknown or not asked:
        parser.error(
            f"--only: no benchmark named {', '.join(unknown) or 'at all'}; "
            f"choose from {', '.join(BENCHMARKS)}"
        )
    chosen = [name for name in BENCHMARKS if name in asked]
    sizes = Sizes.get(args.quick)
    WORK.mkdir(parents=True, exist_ok=True)
    results_file = WORK / ("results-quick.jsonl" if args.quick else "results.jsonl")
    # A run of some benchmarks replaces their earlier results and keeps the others'.
    kept = [r for r in read_results(results_file) if r.benchmark not in {LABELS[n] for n in chosen}]
    results_file.write_text(
        "".join(json.dumps(asdict(result)) + "\n" for result in kept), encoding="utf-8"
    )
    common = ["--backends", args.backends, "--results", str(results_file)]
    if args.quick:
        common.append("--quick")
    started = time.perf_counter()
    failed = []
    try:
        if USES_DATASET & set(chosen):
            print("== dataset", flush=True)
            dataset.ensure(tuple(args.backends.split(",")), sizes)
        for name in chosen:
            print(f"== {name}", flush=True)
            code = subprocess.run(
                [sys.executable, "-m", f"bench.{name}", *common], cwd=ROOT, check=False
            ).returncode
            measured = {r.benchmark for r in read_results(results_file)}
            if code or LABELS[name] not in measured:
                failed.append(name)
    finally:
        if not args.keep and "postgres" in args.backends:
            drop_postgres(dataset.name(sizes))
            dataset.forget("postgres", sizes)
    shown = " ".join(["python -m bench", *sys.argv[1:]])
    results = read_results(results_file)
    section = report(results, shown, time.perf_counter() - started)
    print("\n" + section)
    results_file.with_suffix(".md").write_text(section + "\n", encoding="utf-8")
    absent = sorted(set(LABELS.values()) - {r.benchmark for r in results})
    if args.write and absent:
        # --only keeps the other benchmarks' results from this machine's earlier runs; where
        # there are none, writing would drop their rows from BENCHMARKS.md.
        print(
            f"BENCHMARKS.md not written: no results here for {', '.join(absent)}. "
            f"This run's table is in {results_file.with_suffix('.md')}.",
            file=sys.stderr,
        )
    elif args.write:
        write_into(ROOT / "BENCHMARKS.md", section)
    if failed:
        print(
            f"benchmarks that failed to run or measured nothing: {', '.join(failed)}",
            file=sys.stderr,
        )
    missed = any(r.met is False for r in results)
    sys.exit(1 if failed else (3 if missed else 0))


if __name__ == "__main__":
    main()
