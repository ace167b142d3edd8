"""The GPU check's steps as one table, from what `bash bench/gpu_check.sh run` printed.

    python3 bench/gpu_table.py gpu-check/out/gpu_check.txt

Standard library only (it runs on the GPU machine, which has no TensorFlow). Each row is one RESULT line of
run_step.py, named by the "== name" line before it (a baseline's name says its commit); tokens/s are compared with
the same step's baseline where the check timed one, and every step with this checkout's NorELMo fp32 step (full).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def results(text: str) -> list[tuple[str, dict]]:
    """(label, RESULT) of each step in printed order; the label is the latest "== " line's. Batch making prints
    RESULT lines too; a step's is the one that names its step."""
    rows, label = [], None
    for line in text.splitlines():
        if line.startswith("== "):
            label = line[3:].strip()
        elif line.startswith("RESULT ") and label:
            r = json.loads(line[len("RESULT ") :])
            if "name" in r:
                rows.append((label, r))
    return rows


def table(rows: list[tuple[str, dict]]) -> str:
    by_label = {label: r for label, r in rows}
    full = by_label.get("full", {}).get("tokens_per_s_queued")
    out = [
        "| step | compile | working memory (XLA temp) | peak | ms waiting | ms queued | tokens/s queued | vs baseline "
        "| vs full |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, r in rows:
        rate = r["tokens_per_s_queued"]
        base = next((b for lb, b in rows if lb.startswith(f"{label}, baseline")), None)
        vs_base = f"{rate / base['tokens_per_s_queued']:.3f}x" if base else ""
        vs_full = f"{rate / full:.3f}x" if full and not label.startswith("tiny") else ""
        out.append(
            f"| {label} | {r['compile_s']:.1f} s | {r['temp_gib']:.2f} GiB | {r['peak_gib']:.2f} GiB | "
            f"{r['step_ms_waiting']:.2f} | {r['step_ms_queued']:.2f} | {rate:,} | {vs_base} | {vs_full} |"
        )
    return "\n".join(out)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    rows = results(Path(sys.argv[1]).read_text(encoding="utf-8"))
    if not rows:
        print(f"{sys.argv[1]}: no RESULT lines", file=sys.stderr)
        return 1
    device = rows[0][1]["device"]
    print(f"device: {device}\n\n{table(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
