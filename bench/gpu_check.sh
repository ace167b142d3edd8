#!/usr/bin/env bash
# The GPU check of the training step, in two halves (../shared/gpu-step/README.md says why it is split so):
#
#   bash bench/gpu_check.sh export [DIR]   # here, with TensorFlow (.venv): export the XLA steps into DIR
#   bash bench/gpu_check.sh run [DIR]      # on the GPU machine, with JAX and NumPy: compile and time them
#
# DIR (default gpu-check, which git ignores) is what travels to the GPU machine: the exported steps (NorELMo config
# as the trainer runs it and with the LSTM levels as a wavefront (-wavefront), in fp32 and bf16, and at batch 768;
# the tiny config, both ways, with its values and TensorFlow's loss) and ../shared/gpu-step's scripts. `run` prints
# each step's compile time, working memory, loss and ms per step (waiting, queued), a kernel profile of the NorELMo
# step (DIR/out/profile; summarize it here with summarize_profile.py) with XLA's optimized HLO of that step (hlo.tgz),
# the steps as one table (gpu_table.md, bench/gpu_table.py: tokens/s against the baseline's and the trainer's NorELMo
# step), and batch making by process count on that machine's CPUs; its output goes to $OUT (a device run's folder) or
# DIR/out. About 6 minutes on an H100: most of it compiling 7 step shapes. GPU_CHECK_BASELINE=REV at export: REV's
# NorELMo steps (fp32, bf16) are exported too (DIR/baseline) and `run` times each after the same step of this
# checkout (2 minutes more).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:?export or run}
dir=${2:-gpu-check}
# Which exported steps `run` times.
steps=${GPU_CHECK_STEPS:-full full-wavefront full-bf16 full-bf16-wavefront full-b768 tiny tiny-wavefront}

case "$what" in
export)
    scripts=../shared/gpu-step
    [ -f "$scripts/run_step.py" ] || { echo "$scripts/run_step.py: not found (the GPU check's scripts)" >&2; exit 1; }
    mkdir -p "$dir"
    cp "$scripts"/run_step.py "$scripts"/batch_speed.py "$scripts"/summarize_profile.py "$dir"/
    export TF_CPP_MIN_LOG_LEVEL=2 CUDA_VISIBLE_DEVICES=
    # The tiny steps with the corpus's own vocabulary (their values travel: 100,000 words would be 58 MB each),
    # first, so that the NorELMo steps' vocabulary of 100,000 is the vocab.txt batch_speed.py reads.
    for side in "" --wavefront; do
        .venv/bin/python bench/train.py --export-step "$dir/step" --configs tiny --vocab-size 0 $side
    done
    # full-b768: a second batch size, so that working memory's growth with the batch (and the largest batch that
    # fits a 24, 40 or 80 GB card) follows from two points.
    for extra in "" --wavefront "--precision bf16" "--precision bf16 --wavefront" "--batch-size 768"; do
        .venv/bin/python bench/train.py --export-step "$dir/step" --configs full $extra
    done
    if [ -n "${GPU_CHECK_BASELINE:-}" ]; then
        # The NorELMo steps (fp32, bf16) of an earlier commit too, which `run` times beside these on the same machine.
        tree=$dir/baseline-tree
        rm -rf "$tree" "$dir/baseline" && mkdir -p "$tree" "$dir/baseline"
        ln -s "$(cd ../shared && pwd)" "$tree/shared"  # its bench/train.py reads ../shared/data beside its checkout
        git worktree add -q --detach "$tree/norelmo" "$GPU_CHECK_BASELINE"
        git rev-parse --short "$GPU_CHECK_BASELINE" >"$dir/baseline/commit"
        for extra in "" "--precision bf16"; do
            PYTHONPATH="$tree/norelmo/src" .venv/bin/python "$tree/norelmo/bench/train.py" \
                --export-step "$dir/baseline" --configs full $extra
        done
        git worktree remove --force "$tree/norelmo" && rm -rf "$tree"
    fi
    du -sh "$dir"
    ;;
run)
    out=${OUT:-$dir/out}
    mkdir -p "$out"
    {
        nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv || true
        python3 -c "import jax; print('jax', jax.__version__, jax.devices())"
        for name in $steps; do
            echo "== $name"
            args=(--steps 30)
            [ "$name" = full ] && args+=(--profile "$out/profile")
            [ "$name" = full-b768 ] && args=(--steps 10)
            # The NorELMo step's optimized HLO and thunk sequence name each profiled kernel's fusion and shapes.
            flags=${XLA_FLAGS:-}
            [ "$name" = full ] && flags="$flags --xla_dump_to=$out/hlo-dump --xla_dump_hlo_module_re=.*train_step.*"
            XLA_FLAGS=$flags python3 "$dir/run_step.py" "$dir/step" "$name" "${args[@]}"
            if [ -f "$dir/baseline/$name.hlo.pb" ]; then
                echo "== $name, baseline $(cat "$dir/baseline/commit")"
                python3 "$dir/run_step.py" "$dir/baseline" "$name" --steps 30
            fi
        done
        echo "== batch making, one process (batch_speed.py)"
        python3 "$dir/batch_speed.py" --root . "$dir/step"
        echo "== batch making by process count (bench/batches.py)"
        python3 bench/batches.py --corpus "$dir/step/corpus.txt" --processes 0 1 2 4 8 16 \
            --batches 100 --shape-batches 500
    } 2>&1 | tee "$out/gpu_check.txt"
    python3 bench/gpu_table.py "$out/gpu_check.txt" | tee "$out/gpu_table.md"
    # One file: a device run brings back at most 8.
    if [ -d "$out/hlo-dump" ]; then
        tar czf "$out/hlo.tgz" -C "$out/hlo-dump" . && rm -r "$out/hlo-dump"
    fi
    ;;
*)
    echo "usage: bash bench/gpu_check.sh export|run [DIR]" >&2
    exit 2
    ;;
esac
