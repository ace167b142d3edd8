"""Training throughput: norelmo's TF2 trainer against bilm-tf's TF1 graph (simple_elmo's copy), same run.

    python bench/train.py                      # tiny and full NorELMo configs on this machine's CPU
    python bench/train.py --configs tiny --steps 50
    python bench/train.py --gpu --configs full --steps 60 --no-baseline   # on a GPU machine

Each measurement runs in its own process (so peak RSS is its own). Tokens/s counts batch x unroll
per second, as bilm-tf does, in the best of PASSES timed passes (a shared VM's timings wander by 20%
and more from pass to pass), each through batches of its own, as a run meets them; every batch shape
in them runs once before the clock starts (a run makes each shape's kernels once). On CPUs bilm-tf
runs twice: as shipped, and with the thread pools norelmo's trainer sets (so the table shows what pool
sizing alone gives), and norelmo once more with train.precision bf16. Model FLOP utilization (MFU) is
the nominal FLOPs of the original computation (char CNN and highway for both directions' inputs, LSTMs,
sampled softmax; forward and backward pass) per second, divided by the fp32 matmul FLOP/s measured on
the same device in the same run; work norelmo avoids (the char CNN runs once per distinct type, on the
character columns that matter) still counts as done.
Text: the UD Norwegian Bokmål treebank in ../shared/data when present, else the bundled CoNLL-U.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
UD = ROOT.parent / "shared" / "data" / "ud-no-bokmaal"
SAMPLE_CONLLU = ROOT / "resources" / "sample" / "bokmaal-sample.conllu"
PASSES = 3  # timed passes per measurement; the best counts

CONFIGS = {
    "tiny": {
        "model": {
            "char_cnn": {"filters": [[1, 32], [2, 32], [3, 64], [4, 128]], "n_highway": 1},
            "lstm": {"dim": 256, "projection_dim": 64},
            "n_negative_samples_batch": 256,
        },
        "train": {"batch_size": 32},
    },
    "full": {"model": {}, "train": {}},  # the schema defaults are NorELMo's
}


def corpus_sentences() -> tuple[list[list[str]], str]:
    files = sorted(UD.glob("*.conllu")) or [SAMPLE_CONLLU]
    sentences, current = [], []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                if current:
                    sentences.append(current)
                current = []
            elif not line.startswith("#"):
                cols = line.split("\t")
                if cols[0].isdigit():
                    current.append(cols[1])
    name = "UD Bokmål dev+test" if files[0] != SAMPLE_CONLLU else "bundled sample CoNLL-U"
    return sentences, name


def run_config(name: str):
    sys.path.insert(0, str(ROOT / "src"))
    from norelmo.config import Config

    return Config.from_dict({"run": "bench", "corpora": [{"name": "x", "text": "x"}], **CONFIGS[name]})


def heldout_setup(name: str, heldout: int, full_width: bool = False, **train_overrides) -> SimpleNamespace:
    """For benches that train a config and score held-out text: its model and train settings (with overrides),
    the corpus's vocabulary and types, the corpus's first `heldout` sentences, and batches of the rest
    (`full_width`: all 50 character columns, as bilm-tf's graph reads them; otherwise in the layout of the
    trainer's step, XLA's where `train_overrides` turn it on)."""
    from norelmo.config import TrainConfig
    from norelmo.elmo.batches import BatchMaker
    from norelmo.elmo.sentences import heldout_sentences
    from norelmo.elmo.token_types import corpus_types
    from norelmo.elmo.type_shapes import batch_layout

    cfg = run_config(name)
    m, train = cfg.model, TrainConfig(**{**cfg.train.__dict__, **train_overrides})
    tmp = Path(tempfile.mkdtemp())
    corpus, vocab = write_corpus(tmp)
    types = corpus_types(vocab, None, [corpus], m.char_cnn.max_characters_per_token)
    sentences = heldout_sentences([corpus], heldout)
    layout = {} if full_width else batch_layout(m.char_cnn.filters, bool(train.xla))
    batches = BatchMaker([corpus], types, train.batch_size, m.unroll_steps, m.n_negative_samples_batch, train.seed,
                         None, len(sentences), **layout, state_resets=train.state_resets)  # fmt: skip
    return SimpleNamespace(model=m, train=train, vocab=vocab, types=types, heldout=sentences, batches=batches, tmp=tmp)


def forward_flops_per_token(cfg) -> tuple[float, float]:
    """(token embedding, LSTMs): forward-pass FLOPs per token of one direction (character CNN, highway and
    projection; both LSTM layers with their projections)."""
    cnn, lstm = cfg.char_cnn, cfg.lstm
    c, e, p, d = cnn.max_characters_per_token, cnn.embedding_dim, lstm.projection_dim, lstm.dim
    embed = sum(2 * w * e * n * (c - w + 1) for w, n in cnn.filters)
    embed += cnn.n_highway * 2 * 2 * cnn.n_filters**2
    embed += 2 * cnn.n_filters * p if cnn.n_filters != p else 0
    lstms = lstm.n_layers * (2 * 2 * p * 4 * d + 2 * d * p)
    return embed, lstms


def nominal_flops_per_token(cfg) -> float:
    """FLOPs of the original computation per (direction-pair) token, forward + backward pass."""
    embed, lstms = forward_flops_per_token(cfg)
    softmax = 2 * cfg.lstm.projection_dim * (cfg.n_negative_samples_batch + 1)
    return 3.0 * 2 * (embed + lstms + softmax)


def matmul_flops(gpu: bool) -> float:
    import tensorflow as tf

    n = 8192 if gpu else 2048
    with tf.device("/GPU:0" if gpu else "/CPU:0"):
        a, b = tf.random.normal([n, n]), tf.random.normal([n, n])
        f = tf.function(lambda x, y: tf.matmul(x, y))
        f(a, b).numpy()
        reps, start = 0, time.perf_counter()
        while time.perf_counter() - start < 3.0:
            f(a, b).numpy()
            reps += 1
        return 2.0 * n**3 * reps / (time.perf_counter() - start)


def write_corpus(tmp: Path, sentences: list[list[str]] | None = None) -> tuple[Path, list[str]]:
    """The sentences (corpus_sentences' by default) as tokens.txt in `tmp`, and their vocabulary by frequency."""
    sentences = corpus_sentences()[0] if sentences is None else sentences
    corpus = tmp / "tokens.txt"
    corpus.write_text("\n".join(" ".join(s) for s in sentences) + "\n", encoding="utf-8")
    counts = Counter(t for s in sentences for t in s)
    vocab = ["<S>", "</S>", "<UNK>"] + [t for t, _ in sorted(counts.items(), key=lambda tn: (-tn[1], tn[0]))]
    (tmp / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    return corpus, vocab


def worker_norelmo(name: str, steps: int, gpu: bool, xla: bool, precision: str = "fp32") -> dict:
    import tensorflow as tf

    from norelmo.config import TrainConfig
    from norelmo.elmo.batches import BatchMaker
    from norelmo.elmo.cluster import size_cpu_thread_pools
    from norelmo.elmo.token_types import corpus_types
    from norelmo.elmo.train import Trainer
    from norelmo.elmo.type_shapes import batch_layout

    if not gpu:
        size_cpu_thread_pools()  # as the trainer does on CPUs
    cfg = run_config(name)
    tcfg = TrainConfig(**{**cfg.train.__dict__, "xla": xla, "precision": precision})
    tmp = Path(tempfile.mkdtemp())
    corpus, vocab = write_corpus(tmp)
    with tf.device("/GPU:0" if gpu else "/CPU:0"):
        trainer = Trainer(cfg.model, tcfg, len(vocab), tmp / "ckpt", xla=xla)
        types = corpus_types(vocab, None, [corpus], cfg.model.char_cnn.max_characters_per_token)
        batches = BatchMaker(
            [corpus],
            types,
            tcfg.batch_size,
            cfg.model.unroll_steps,
            cfg.model.n_negative_samples_batch,
            0,
            **batch_layout(cfg.model.char_cnn.filters, xla),
        )
        batches = [next(batches) for _ in range(PASSES * steps)]
        # Each new shape costs once: XLA compiles a step for it; without XLA each pair of character widths
        # traces its own graph (chars.split_short_long) and oneDNN makes kernels for each row count (a few:
        # data.TYPE_ROWS_ROUND). A long run amortizes both, so every shape the timed batches use runs before
        # the clock starts.
        start = time.perf_counter()
        warm_shapes = {}
        for batch in batches:
            warm_shapes.setdefault(batch.short_chars.shape + batch.long_chars.shape, batch)
        for batch in [*warm_shapes.values(), batches[0]]:
            trainer.train_step(batch)
        compile_s = time.perf_counter() - start
        elapsed = math.inf
        for k in range(PASSES):
            start = time.perf_counter()
            for batch in batches[k * steps : (k + 1) * steps]:
                loss, _ = trainer.train_step(batch)
            elapsed = min(elapsed, time.perf_counter() - start)
    out = {"tokens_per_s": steps * tcfg.batch_size * cfg.model.unroll_steps / elapsed, "warmup_s": compile_s}
    if gpu:
        out["peak_gpu_mib"] = tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
    return out


def worker_bilm_tf(name: str, steps: int, gpu: bool) -> dict:
    """bilm-tf's training graph as simple_elmo ships it (tf.compat.v1), fed real batches."""
    import numpy as np
    import tensorflow as tf
    from simple_elmo.training import LanguageModel, clip_grads

    sys.path.insert(0, str(ROOT / "src"))
    from norelmo.elmo.batches import BatchMaker
    from norelmo.elmo.export import options_json
    from norelmo.elmo.token_types import corpus_types

    tf.compat.v1.disable_eager_execution()
    cfg = run_config(name)
    m, b, t = cfg.model, cfg.train.batch_size, cfg.model.unroll_steps
    tmp = Path(tempfile.mkdtemp())
    corpus, vocab = write_corpus(tmp)
    options = options_json(m, len(vocab), 10**6, 1, b)
    options["char_cnn"]["n_characters"] = 261
    options["unroll_steps"] = t
    with tf.device("/gpu:0" if gpu else "/cpu:0"):
        global_step = tf.compat.v1.get_variable("global_step", [], initializer=tf.zeros_initializer, trainable=False)
        opt = tf.compat.v1.train.AdagradOptimizer(learning_rate=m.learning_rate, initial_accumulator_value=1.0)
        with tf.compat.v1.variable_scope("lm"):
            model = LanguageModel(options, True)
            grads = opt.compute_gradients(
                model.total_loss * t, aggregation_method=tf.AggregationMethod.EXPERIMENTAL_TREE
            )
        grads, _ = clip_grads(grads, options, False, global_step)
        train_op = opt.apply_gradients(grads, global_step=global_step)
    types = corpus_types(vocab, None, [corpus], m.char_cnn.max_characters_per_token)
    batches = BatchMaker([corpus], types, b, t, m.n_negative_samples_batch, 0)
    config = tf.compat.v1.ConfigProto(allow_soft_placement=True)
    with tf.compat.v1.Session(config=config) as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        init_values = sess.run(
            model.init_lstm_state,
            feed_dict={
                model.tokens_characters: np.zeros([b, t, 50], np.int32),
                model.tokens_characters_reverse: np.zeros([b, t, 50], np.int32),
            },
        )

        def feed_of(batch):
            chars = batch.short_chars[batch.positions]  # no widest_filter: all types, full width
            return {
                model.tokens_characters: chars[0],
                model.tokens_characters_reverse: chars[1],
                model.next_token_id: batch.targets[0],
                model.next_token_id_reverse: batch.targets[1],
            }

        # Made before the clock starts, as for norelmo's rows: both time the training step alone.
        feeds = [feed_of(next(batches)) for _ in range(PASSES * steps + 2)]

        def run_once(state, feed):
            feed = {**feed, **dict(zip(model.init_lstm_state, state, strict=True))}
            return sess.run([train_op, *model.final_lstm_state], feed_dict=feed)[1:]

        state = init_values
        for feed in feeds[:2]:
            state = run_once(state, feed)
        elapsed = math.inf
        for k in range(PASSES):
            start = time.perf_counter()
            for feed in feeds[2 + k * steps : 2 + (k + 1) * steps]:
                state = run_once(state, feed)
            elapsed = min(elapsed, time.perf_counter() - start)
    return {"tokens_per_s": steps * b * t / elapsed}


def export_step(
    name: str,
    out: Path,
    vocab_size: int,
    precision: str = "fp32",
    batch_size: int = 0,
    side_by_side: bool = True,
    wavefront: bool = False,
) -> dict:
    """The trainer's compiled (XLA) step for one config, as ../shared/gpu-step/export_step.py writes it.

    NAME is the config's, with -bf16 for train.precision bf16, -bN for a batch size other than the config's
    -alone for the LSTM directions one after the other (not side by side, as the trainer runs them under XLA) and
    -wavefront for the LSTM levels as a wavefront (model.levels_as_wavefront).

    NAME.hlo.pb (the step as an HloModuleProto, before optimization), NAME.args.npz (the batch inputs in
    parameter order), NAME.json (tokens per step, vocabulary size, each captured variable as [role, dtype,
    shape] in parameter order, the input shapes; for tiny also TensorFlow's loss and norm of this step),
    NAME.vars.npz (tiny: the variables' starting values), and corpus.txt and vocab.txt for batch_speed.py.
    run_step.py there compiles and times it with JAX's XLA on a GPU machine without TensorFlow.
    """
    import re

    import numpy as np
    import tensorflow as tf

    from norelmo.config import TrainConfig
    from norelmo.elmo.batches import BatchMaker
    from norelmo.elmo.token_types import corpus_types
    from norelmo.elmo.train import Trainer
    from norelmo.elmo.type_shapes import batch_layout

    cfg = run_config(name)
    tcfg = TrainConfig(**{**cfg.train.__dict__, "xla": True, "precision": precision})
    if batch_size:
        tcfg = TrainConfig(**{**tcfg.__dict__, "batch_size": batch_size})
    name += ("-bf16" if precision == "bf16" else "") + (f"-b{batch_size}" if batch_size else "")
    name += ("" if side_by_side else "-alone") + ("-wavefront" if wavefront else "")
    tmp = Path(tempfile.mkdtemp())
    corpus, vocab = write_corpus(tmp)
    vocab += [f"<pad{i}>" for i in range(max(0, vocab_size - len(vocab)))]
    trainer = Trainer(cfg.model, tcfg, len(vocab), tmp / "ckpt", xla=True)
    trainer.model.directions_side_by_side = side_by_side
    trainer.model.levels_as_wavefront = wavefront
    types = corpus_types(vocab, None, [corpus], cfg.model.char_cnn.max_characters_per_token)
    m = cfg.model
    batch = next(
        BatchMaker(
            [corpus],
            types,
            tcfg.batch_size,
            m.unroll_steps,
            m.n_negative_samples_batch,
            0,
            **batch_layout(m.char_cnn.filters, True),
            state_resets=tcfg.state_resets,
        )
    )
    step, args = trainer.compiled_step(batch)
    ir = step.experimental_get_compiler_ir(*args)
    hlo_text = ir(stage="hlo")
    entry = next(line for line in hlo_text.splitlines() if line.startswith("ENTRY")).split(") ->")[0]
    params = re.findall(r"arg\d+\.\d+: (\w+)\[([\d,]*)\]", entry)
    # Roles as run_step.py starts them without values: "step" (int64 0) also names the trainer's other
    # counter, the steps refused after a non-finite loss, which starts at 0 as well.
    roles = {id(v.handle): "weight:" + n for n, v in trainer.model.weights.items()}
    roles.update({id(v.handle): "accum:" + n for n, v in trainer.accumulators.items()})
    roles.update({id(v.handle): "state" for layers in trainer.states for pair in layers for v in pair})
    roles.update({id(v.handle): "step" for v in (trainer.step, trainer.refused)})
    roles[id(trainer.refused_loss.handle)] = "weight:refused_loss"
    captured = step.get_concrete_function(*args).captured_inputs
    variables = [
        [roles[id(h)], dtype, [int(x) for x in shape.split(",") if x]]
        for h, (dtype, shape) in zip(captured, params[len(args) :], strict=True)
    ]
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.hlo.pb").write_bytes(ir(stage="hlo_serialized"))
    np.savez(out / f"{name}.args.npz", *[np.asarray(x) for x in args])
    meta = {
        "tokens": tcfg.batch_size * m.unroll_steps,
        "vocab": len(vocab),
        "vars": variables,
        "shapes": [list(np.shape(x)) for x in args],
    }
    if name.startswith("tiny"):
        dtypes = {"f32": tf.float32, "s64": tf.int64, "s32": tf.int32}
        values = [
            tf.raw_ops.ReadVariableOp(resource=h, dtype=dtypes[v[1]]).numpy()
            for h, v in zip(captured, variables, strict=True)
        ]
        np.savez(out / f"{name}.vars.npz", *values)
        meta["loss"], meta["norm"] = trainer.train_step(batch)
    (out / f"{name}.json").write_text(json.dumps(meta))
    (out / "corpus.txt").write_bytes(corpus.read_bytes())
    (out / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    ops = re.findall(r"= \S+ (\w[\w-]*)\(", hlo_text)
    return {
        "config": name,
        "hlo_ops": len(ops),
        "bf16_dots": len(re.findall(r"= bf16\[[\d,]*\]\S* dot\(", hlo_text)),
        "convolutions": ops.count("convolution"),
        "dots": ops.count("dot"),
        "variables": len(variables),
        "shapes": meta["shapes"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", default="tiny,full")
    ap.add_argument("--steps", type=int, default=0, help="timed steps (default: 60 tiny, 3 full; 60 on GPU)")
    ap.add_argument("--gpu", action="store_true")
    ap.add_argument("--no-baseline", action="store_true", help="skip bilm-tf's TF1 graph")
    ap.add_argument("--no-xla", action="store_true", help="XLA is on with --gpu, off on CPUs (where it is slower)")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    ap.add_argument("--export-step", type=Path, metavar="DIR", help="write the XLA step for ../shared/gpu-step there")
    ap.add_argument("--vocab-size", type=int, default=100000, help="with --export-step: pad the vocabulary to this")
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32", help="with --export-step: train.precision")
    ap.add_argument("--batch-size", type=int, default=0, help="with --export-step: instead of the config's")
    ap.add_argument(
        "--directions-alone", action="store_true", help="with --export-step: the LSTM directions one after the other"
    )
    ap.add_argument("--wavefront", action="store_true", help="with --export-step: the LSTM levels as a wavefront")
    ap.add_argument("--worker", choices=["norelmo", "bilm-tf", "matmul"], help=argparse.SUPPRESS)
    ap.add_argument("--config", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.export_step:
        print("| step | HLO ops | convolutions | dots (bf16) | variables | batch input shapes |")
        print("|---|---|---|---|---|---|")
        for config in a.configs.split(","):
            r = export_step(
                config,
                a.export_step,
                a.vocab_size,
                a.precision,
                a.batch_size,
                side_by_side=not a.directions_alone,
                wavefront=a.wavefront,
            )
            print(f"| {r['config']} | {r['hlo_ops']} | {r['convolutions']} | {r['dots']} ({r['bf16_dots']}) | "
                  f"{r['variables']} | {r['shapes']} |")  # fmt: skip
        return
    if a.worker:
        if a.worker == "matmul":
            out = {"flops": matmul_flops(a.gpu)}
        elif a.worker == "norelmo":
            out = worker_norelmo(a.config, a.steps, a.gpu, a.gpu and not a.no_xla, a.precision)
        else:
            out = worker_bilm_tf(a.config, a.steps, a.gpu)
        out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("RESULT " + json.dumps(out), flush=True)
        return

    def measure(
        worker: str, config: str = "", steps: int = 0, extra_env: dict | None = None, bf16: bool = False
    ) -> dict:
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", **(extra_env or {}))
        if worker == "bilm-tf":
            env["TF_USE_LEGACY_KERAS"] = "1"
        if not a.gpu:
            env["CUDA_VISIBLE_DEVICES"] = ""
        cmd = [sys.executable, __file__, "--worker", worker, "--config", config, "--steps", str(steps)]
        cmd += ["--gpu"] * a.gpu + ["--no-xla"] * a.no_xla + ["--precision", "bf16"] * bf16
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            raise SystemExit(f"{worker} {config} failed:\n{proc.stderr[-4000:]}")
        return json.loads(lines[-1][len("RESULT ") :])

    _, text = corpus_sentences()
    peak = measure("matmul")["flops"]
    device = "GPU" if a.gpu else f"CPU ({os.cpu_count()} cores)"
    print(f"device: {device}; fp32 matmul peak measured: {peak / 1e9:.1f} GFLOP/s; text: {text}")
    header = f"{'config':<7}{'implementation':<26}{'tokens/s':>10}{'MFU':>8}{'peak RSS GiB':>14}{'vs bilm-tf':>12}"
    print(header)
    rows = []
    for config in a.configs.split(","):
        steps = a.steps or (60 if a.gpu else (60 if config == "tiny" else 3))
        flops = nominal_flops_per_token(run_config(config).model)
        name = "norelmo TF2" + (" +XLA" if a.gpu and not a.no_xla else "")
        results = {name: measure("norelmo", config, steps)}
        # bf16 products: about twice the matmul rate on CPUs with AVX512_BF16 or AMX, and on GPUs.
        results[name + ", bf16"] = measure("norelmo", config, steps, bf16=True)
        if not a.no_baseline:
            results["bilm-tf TF1 graph"] = measure("bilm-tf", config, steps)
            if not a.gpu:
                # How much of the gain is thread-pool sizing alone: bilm-tf run with norelmo's pools.
                cores = len(os.sched_getaffinity(0))
                pools = {"TF_NUM_INTEROP_THREADS": str(cores), "TF_NUM_INTRAOP_THREADS": str(max(1, cores // 2))}
                results["bilm-tf, norelmo's pools"] = measure("bilm-tf", config, steps, pools)
        base = results.get("bilm-tf TF1 graph", {}).get("tokens_per_s")
        for impl, r in results.items():
            ratio = f"{r['tokens_per_s'] / base:.2f}x" if base else "-"
            mfu = r["tokens_per_s"] * flops / peak
            rss = r["peak_rss_mib"] / 1024
            print(f"{config:<7}{impl:<26}{r['tokens_per_s']:>10.0f}{mfu:>8.1%}{rss:>14.2f}{ratio:>12}")
            rows.append({"config": config, "implementation": impl, "mfu": mfu, **r})
    if a.json:
        a.json.write_text(json.dumps({"device": device, "matmul_flops": peak, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
