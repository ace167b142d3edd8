"""bench/gpu_table.py turns the GPU check's printout into the table that goes into the README and the notes."""

import json
import subprocess
import sys

from ..conftest import ROOT


def result(name, queued_ms, tokens=3840):
    r = {"name": name, "device": "NVIDIA H100 80GB HBM3", "compile_s": 30.0, "temp_gib": 2.5, "peak_gib": 3.3}
    r |= {"step_ms_waiting": queued_ms + 5, "step_ms_queued": queued_ms}
    return "RESULT " + json.dumps(r | {"tokens_per_s_queued": round(tokens / queued_ms * 1000)})


def test_each_step_against_its_baseline_and_the_trainers_step(tmp_path):
    printed = "\n".join([
        "== full", "device ...", "loss 9.1", result("full", 16.0),
        "== full, baseline 2e33cc4", result("full", 20.0),
        "== full-wavefront", result("full-wavefront", 12.8),
        "== tiny", result("tiny", 1.0, tokens=640),
        "== batch making, one process (batch_speed.py)",
        'RESULT {"ms_per_batch": 7.38, "tokens_per_s": 520597, "xla_layout": true}',
    ])  # fmt: skip
    log = tmp_path / "gpu_check.txt"
    log.write_text(printed, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "gpu_table.py"), str(log)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    rows = {line.split("|")[1].strip(): line.split("|") for line in proc.stdout.splitlines() if line.startswith("| ")}
    assert rows["full"][7].strip() == "240,000" and rows["full"][8].strip() == "1.250x"  # 20 ms -> 16 ms
    assert rows["full-wavefront"][9].strip() == "1.250x"  # against the trainer's step
    assert rows["full, baseline 2e33cc4"][7].strip() == "192,000"
    assert rows["tiny"][9].strip() == ""  # another config: no ratio
    assert proc.stdout.startswith("device: NVIDIA H100 80GB HBM3")


def test_a_printout_without_results_is_an_error(tmp_path):
    log = tmp_path / "gpu_check.txt"
    log.write_text("== full\nTraceback ...\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "gpu_table.py"), str(log)], capture_output=True, text=True
    )
    assert proc.returncode == 1 and "no RESULT lines" in proc.stderr
