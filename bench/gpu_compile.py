"""Compile exported training steps for an H100 on this machine, without a GPU, and say what XLA made of them.

    python bench/gpu_compile.py DIR/NAME [DIR/NAME ...] [--target FILE] [--dump DIR]

Each DIR/NAME is a step that `bench/train.py --export-step DIR` wrote (NAME.hlo.pb, e.g. gpu-check/step/full).
Needs JAX with its CUDA plugin (`pip install "jax[cuda13]"`, about 4 GB, no GPU or driver needed): XLA compiles
for the target that --target describes (default: bench/gpu_targets/h100-80gb-hbm3.txtpb) exactly as it would on
that GPU, only without autotuning, so every matrix product stays a Triton fusion with default tiles where the GPU
picks some cuBLAS kernels. Prints per step the compile time, XLA's working memory (temp) and arguments, and the
kernels the step launches: matrix products (count, TFLOP) and the rest (count, bytes they write). With several
steps, the kernels whose count differs from the first step's, by kind and output shape: what a change removed or
added. Timings need the GPU (bench/gpu_check.sh); this shows, between two device checks, whether a change to the
step did what it meant to, and its working memory (XLA's own figure: 2.90 GiB here against 3.03 measured on the
H100 for the same step).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import time
from collections import Counter
from pathlib import Path

# The plugin's start-up checks load the CUDA driver's libraries, which a machine without a GPU lacks; compiling
# for a described target needs none of them.
os.environ.setdefault("JAX_SKIP_CUDA_CONSTRAINTS_CHECK", "1")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TARGET = ROOT / "bench" / "gpu_targets" / "h100-80gb-hbm3.txtpb"
ELEMENT_BYTES = {"pred": 1, "s8": 1, "u8": 1, "bf16": 2, "f16": 2, "s16": 2, "u16": 2, "f32": 4, "s32": 4, "u32": 4}
ELEMENT_BYTES |= {"f64": 8, "s64": 8, "u64": 8}
INSTRUCTION = re.compile(r"\s*(ROOT )?%([\w.\-]+) = (\(.*?\)|\S+) ([\w\-]+)\((.*?)\)(.*)$")
NOT_KERNELS = {"parameter", "get-tuple-element", "bitcast", "tuple", "constant"}


def arrays(shape: str) -> list[tuple[str, list[int]]]:
    """(element type, dims) of each array in an HLO shape, a tuple's included."""
    return [(t, [int(d) for d in dims.split(",") if d]) for t, dims in re.findall(r"\b([a-z]+\d*)\[([\d,]*)\]", shape)]


def nbytes(shape: str) -> int:
    return sum(ELEMENT_BYTES.get(t, 4) * math.prod(dims) for t, dims in arrays(shape))


def compile_step(export: Path, target: str):
    """XLA's executable of an exported step, compiled for `target` by a compile-only client, and its seconds."""
    import jax
    from jax._src.interpreters import mlir as jax_mlir
    from jax._src.lib import xla_client
    from jax._src.lib.mlir import ir
    from jax.experimental import topologies

    jax.config.update("jax_enable_x64", True)  # the step counter is int64
    device = topologies.get_topology_desc(platform="cuda", topology="1x1x1", target_config=target).devices[0]
    stablehlo = xla_client._xla.mlir.hlo_to_stablehlo(export.with_suffix(".hlo.pb").read_bytes())
    with jax_mlir.make_ir_context():
        module = ir.Module.parse(stablehlo)
        copies = []  # TensorFlow's value-preserving copies have no lowering for GPUs here: use their operands

        def collect(op):
            if op.operation.name == "mhlo.copy":
                copies.append(op.operation)
            return ir.WalkResult.ADVANCE

        module.operation.walk(collect)
        for op in copies:
            op.results[0].replace_all_uses_with(op.operands[0])
            op.erase()
        start = time.perf_counter()
        executable = device.client.compile(
            module, executable_devices=xla_client.DeviceList((device,)), compile_options=xla_client.CompileOptions()
        )
    return executable, time.perf_counter() - start


def computations(hlo: str) -> tuple[dict[str, list[tuple]], str]:
    """Each computation's instructions (name, shape, opcode, operands, rest of the line, is root), and the
    entry's name."""
    found, entry, current = {}, "", None
    for line in hlo.splitlines():
        head = re.match(r"^(ENTRY )?%([\w.\-]+) \(.*\) -> .*\{$", line)
        if head:
            current = head.group(2)
            found[current] = []
            entry = current if head.group(1) else entry
        elif line.startswith("}"):
            current = None
        elif current is not None and (m := INSTRUCTION.match(line)):
            root, name, shape, opcode, operands, rest = m.groups()
            found[current].append((name, shape, opcode, re.findall(r"%([\w.\-]+)", operands), rest, bool(root)))
    return found, entry


def dot_flops(instructions: list[tuple], shapes: dict[str, str]) -> int:
    """2 x output elements x contracted size, summed over the dots among `instructions` (operand shapes from
    `shapes`)."""
    flops = 0
    for _, shape, opcode, operands, rest, _ in instructions:
        if opcode != "dot":
            continue
        contracted = re.search(r"lhs_contracting_dims=\{([\d,]*)\}", rest)
        lhs = arrays(shapes[operands[0]])[0][1]
        k = math.prod(lhs[int(d)] for d in contracted.group(1).split(",") if d) if contracted else 1
        flops += 2 * k * math.prod(arrays(shape)[0][1])
    return flops


def written(body: list[tuple], shapes: dict[str, str], shape: str) -> int:
    """Bytes a fused computation writes: its output, but only the updates of a dynamic-update-slice or scatter
    at its root (XLA does those in place); `shapes`: its instructions' shapes."""
    root = next(i for i in body if i[5])
    if root[2] in ("dynamic-update-slice", "scatter"):
        return nbytes(shapes[root[3][1 if root[2] == "dynamic-update-slice" else 2]])
    return nbytes(shape)


def kernels(hlo: str) -> list[dict]:
    """The entry computation's kernels: kind (fused computation's name without numbers), output shape, bytes
    written, and FLOPs for matrix products."""
    comps, entry = computations(hlo)
    entry_shapes = {name: shape for name, shape, *_ in comps[entry]}
    found = []
    for instruction in comps[entry]:
        _name, shape, opcode, _operands, rest, _ = instruction
        if opcode in NOT_KERNELS:
            continue
        called = re.search(r"calls=%([\w.\-]+)", rest)
        body = comps[called.group(1)] if called else []
        shapes = {n: s for n, s, *_ in body}
        kind = re.sub(r"[\d._]+$", "", called.group(1).replace("_computation", "")) if called else opcode
        flops = dot_flops(body, shapes) if called else dot_flops([instruction], entry_shapes)
        kind = "matrix product" if flops else kind
        size = written(body, shapes, shape) if body else nbytes(shape)
        found.append({"kind": kind, "shape": re.sub(r"\{[^}]*\}", "", shape), "written": size, "flops": flops})
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("steps", nargs="+", type=Path, help="DIR/NAME of exported steps (bench/train.py --export-step)")
    ap.add_argument("--target", type=Path, default=DEFAULT_TARGET, help="GpuTargetConfigProto, text format")
    ap.add_argument("--dump", type=Path, help="write each step's optimized HLO here")
    a = ap.parse_args()
    target = a.target.read_text(encoding="utf-8")
    print(f"target: {a.target.name}; no autotuning (matrix products as Triton fusions with default tiles)")
    print(f"{'step':<28}{'compile s':>10}{'temp GiB':>10}{'args GiB':>10}{'kernels':>9}{'products':>10}{'TFLOP':>8}"
          f"{'others':>8}{'GB written':>12}")  # fmt: skip
    listed = []
    for step in a.steps:
        executable, seconds = compile_step(step, target)
        memory = executable.get_compiled_memory_stats()
        hlo = "\n".join(module.to_string() for module in executable.hlo_modules())
        if a.dump:
            a.dump.mkdir(parents=True, exist_ok=True)
            (a.dump / f"{step.parent.name}-{step.name}.hlo.txt").write_text(hlo, encoding="utf-8")
        found = kernels(hlo)
        products = [k for k in found if k["flops"]]
        others = [k for k in found if not k["flops"]]
        label = f"{step.parent.name}/{step.name}"
        print(f"{label:<28}{seconds:>10.1f}{memory.temp_size_in_bytes / 2**30:>10.2f}"
              f"{memory.argument_size_in_bytes / 2**30:>10.2f}{len(found):>9}{len(products):>10}"
              f"{sum(k['flops'] for k in products) / 1e12:>8.3f}{len(others):>8}"
              f"{sum(k['written'] for k in others) / 1e9:>12.2f}")  # fmt: skip
        listed.append((label, found))
    first_label, first = listed[0]
    for label, found in listed[1:]:
        before = Counter((k["kind"], k["shape"]) for k in first)
        after = Counter((k["kind"], k["shape"]) for k in found)
        size = {(k["kind"], k["shape"]): k["written"] for k in first + found}
        changed = sorted((key for key in size if before[key] != after[key]),
                         key=lambda key: -abs(after[key] - before[key]) * size[key])  # fmt: skip
        print(f"\nkernels whose count differs, {first_label} -> {label} (largest change in bytes written first):")
        print(f"{'before':>7}{'after':>7}{'MB written each':>17}  kind, output shape")
        for key in changed[:30]:
            print(f"{before[key]:>7}{after[key]:>7}{size[key] / 1e6:>17.1f}  {key[0]}, {key[1][:90]}")
        if len(changed) > 30:
            print(f"... and {len(changed) - 30} more")


if __name__ == "__main__":
    main()
