"""The run at a glance, for `snakemake --report`: the loss and rank-frequency plots, corpus statistics per stage,
perplexity per epoch, the evaluation beside NorELMo's published table, and time and memory per rule (from the
rules' benchmark files)."""

from __future__ import annotations

import base64
import csv
import html
import json
from collections import defaultdict
from pathlib import Path

from .atomic import atomic_text
from .download_records import read_records
from .evaluate.published import METHOD_NAMES, seed_table

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1e293b; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #cbd5e1; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f1f5f9; }
.warning { color: #b91c1c; font-weight: 600; }
.plots img { width: 48%; min-width: 320px; margin-right: 1%; vertical-align: top; }
"""


def _table(header: list[str], rows: list[list]) -> str:
    def cell(value) -> str:
        if isinstance(value, float):
            value = f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
        elif isinstance(value, int):
            value = f"{value:,}"
        return html.escape(str(value))

    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summed(paths: list[Path]) -> dict[str, dict[str, float]]:
    """Per corpus (the parent folder's name), the sum of every numeric field of its shards' stats JSON."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for path in paths:
        for key, value in json.loads(Path(path).read_text()).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                totals[Path(path).parent.name][key] += value
    return totals


def _stage_table(paths: list[Path], fields: list[str]) -> str:
    totals = _summed(paths)
    rows = [[corpus, *(int(totals[corpus].get(f, 0)) for f in fields)] for corpus in sorted(totals)]
    return _table(["corpus", *fields], rows)


NAK_COLUMNS = {
    "articles_nob": "Bokmål read", "articles_nno": "Nynorsk read", "articles_unmarked": "of them unmarked",
    "articles_other_standard": "other standard", "members_skipped": "members skipped",
    "articles_unreadable": "unreadable", "articles_empty": "empty",
    "articles_decoded_against_declaration": "decoded against declaration",
}  # fmt: skip


def _archive_table(paths: list[Path]) -> str:
    """Per newspaper-corpus archive (a `nak:` corpus's shards list them under `archives`), its counts summed over
    the shards; empty where no corpus is one."""
    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path in paths:
        for archive, counts in json.loads(Path(path).read_text()).get("archives", {}).items():
            for key, value in counts.items():
                totals[Path(path).parent.name, archive][key] += value
    if not totals:
        return ""
    rows = [
        [f"{corpus}: {archive}", *(totals[corpus, archive][k] for k in NAK_COLUMNS)]
        for corpus, archive in sorted(totals)
    ]
    return "<h4>Newspaper corpus, per archive</h4>" + _table(["archive", *NAK_COLUMNS.values()], rows)


def _benchmarks(results: Path) -> str:
    """One row per rule: jobs, summed and longest wall time, largest peak RSS."""
    per_rule: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for path in sorted((results / "benchmarks").glob("*/*.tsv")):
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                rss = row.get("max_rss", "-")
                per_rule[path.parent.name].append((float(row["s"]), float(rss) if rss not in ("-", "NA") else 0.0))
    rows = [
        [rule, len(runs), sum(s for s, _ in runs), max(s for s, _ in runs), max(r for _, r in runs)]
        for rule, runs in per_rule.items()
    ]
    rows.sort(key=lambda r: -r[2])
    return _table(["rule", "jobs", "wall s (sum)", "wall s (longest job)", "peak RSS MB"], rows)


# One direction's perplexity this many times the other's means something is wrong with that LM (or
# with how it is scored: a healthy biLM's two directions stay within a small factor of each other).
DIRECTION_RATIO_WARNING = 10.0


def _downloads(results: Path) -> str:
    """What the run downloaded (results/{run}/downloads.json) and what each file was checked against."""
    records = read_records(results / "downloads.json")
    if not records:
        return ""
    rows = [
        [Path(e["file"]).name, e["size"], e["sha1"], e["checksum"], e["final_url"], e["time"]] for e in records.values()
    ]
    return "<h2>Downloads</h2>" + _table(["file", "bytes", "sha1", "checked against", "from", "when (UTC)"], rows)


def direction_warning(perplexity: dict) -> str | None:
    """A warning when one direction's perplexity is over DIRECTION_RATIO_WARNING times the other's."""
    fw, bw = perplexity["forward"], perplexity["backward"]
    ratio = max(fw, bw) / min(fw, bw)
    if ratio <= DIRECTION_RATIO_WARNING:
        return None
    worse = "backward" if bw > fw else "forward"
    return (
        f"Warning: the {worse} LM's perplexity is {ratio:,.0f} times the other direction's "
        f"(forward {fw:,.4g}, backward {bw:,.4g}); that language model is broken or was scored wrongly."
    )


def _warning_paragraph(perplexity: dict) -> str:
    text = direction_warning(perplexity)
    return f"<p class='warning'>{html.escape(text)}</p>" if text else ""


def _pct(value: float) -> str:
    return f"{100 * value:.2f}%"


def _split_said(result: dict) -> str:
    """What a task's test split was, as a clause: its file, sentences, sha1, and whether it is the published one."""
    split = result.get("test_split")
    if not split:
        return ""
    return html.escape(
        f"; scored on {split['file']} ({split['sentences']:,} sentences, sha1 {split['sha1'][:12]}): {split['split']}"
    )


def _seed_table(run: str, pos: dict | None, sentiment: dict | None, fine: dict | None = None) -> str:
    """NorELMo's published table with this run's row, then each task's figures per seed and its baseline."""
    header, rows = seed_table(run, pos, sentiment, fine)
    parts = [
        "<h3>NorELMo's evaluation table, this run beside the published models</h3>",
        _table(header, rows),
        "<p>This run: the seed-42 figure with the minutes it took (features and one classifier) in parentheses, "
        "then mean ± sd over the seeds; published figures are single runs, with their adaptation minutes.</p>",
    ]
    per_seed = []
    if pos:
        per_seed.append(["part-of-speech", "UPOS accuracy", *_seed_cells(pos), _pct(pos["majority_accuracy"])])
    for method, result in (sentiment or {}).get("methods", {}).items():
        majority = _pct(sentiment["majority_macro_f1"])
        per_seed.append([f"sentiment ({METHOD_NAMES[method]})", "macro F1", *_seed_cells(result), majority])
    if fine:
        per_seed.append(["fine-grained sentiment", "Sentiment Graph F1", *_seed_cells(fine), "0.0"])
    header = ["task", "metric", "seed 42", "mean", "sd", "seeds", "features min", "classifier min", "majority class"]
    parts.append(_table(header, per_seed))
    if pos:
        parts.append(
            f"<p>Part-of-speech: {html.escape(pos['protocol'])}; train {pos['train_tokens']:,} tokens, "
            f"test {pos['test_tokens']:,} tokens ({html.escape(pos['inputs'])}){_split_said(pos)}.</p>"
        )
    if sentiment:
        counts = ", ".join(f"{k} {v:,}" for k, v in sentiment["sentences"].items())
        parts.append(
            f"<p>Sentiment: {html.escape(sentiment['protocol'])}; sentences: {counts}{_split_said(sentiment)}.</p>"
        )
    if fine:
        counts = ", ".join(f"{k} {v:,}" for k, v in fine["sentences"].items())
        parts.append(
            f"<p>Fine-grained sentiment: {html.escape(fine['protocol'])}; {fine['epochs']} epochs, the seed-42 "
            f"parser's best dev epoch {fine['best_epoch']}, precision {_pct(fine['precision'])}, recall "
            f"{_pct(fine['recall'])}; sentences: {counts}{_split_said(fine)}.</p>"
        )
    return "".join(parts)


def _seed_cells(result: dict) -> list:
    return [
        _pct(result["seed_42"]),
        _pct(result["mean"]),
        f"{100 * result['sd']:.2f}",
        len(result["seeds"]),
        f"{result['features_minutes']:.2f}",
        f"{result['classifier_minutes']:.2f}",
    ]


def _inline_png(path: Path, alt: str) -> str:
    """An <img> holding the PNG at `path` as a data URI; empty where the stage drew none (no metrics yet)."""
    if not path.exists():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"<img src='data:image/png;base64,{data}' alt='{html.escape(alt)}'>"


def write_summary(
    run: str,
    results: Path,
    text_stats: list[Path],
    token_stats: list[Path],
    vocab_stats: Path,
    train_summary: Path,
    heldout: Path | None,
    perplexity: Path | None,
    pos: Path | None,
    sentiment: Path | None,
    out: Path,
    fine: Path | None = None,
) -> None:
    results = Path(results)
    vocab = json.loads(Path(vocab_stats).read_text())
    train = json.loads(Path(train_summary).read_text())
    parts = [f"<h1>norelmo run <code>{html.escape(run)}</code></h1>"]
    # The plots first, where a reader looks; inline, so the page stands alone (and inside snakemake --report).
    plots = [
        _inline_png(Path(train_summary).parent / "loss.png", "training loss and held-out perplexity"),
        _inline_png(Path(vocab_stats).parent / "rank-frequency.png", "the vocabulary's rank-frequency plot"),
    ]
    parts.append(f"<p class='plots'>{''.join(p for p in plots if p)}</p>")
    parts.append("<h2>Corpus, per stage</h2><h3>Extraction</h3>")
    parts.append(
        _stage_table(
            text_stats,
            ["pages_seen", "articles_kept", "redirects", "other_namespaces", "documents", "paragraphs", "characters"],
        )
    )
    parts.append(_archive_table(text_stats))
    parts.append("<h3>Tokenization (UDPipe)</h3>")
    parts.append(_stage_table(token_stats, ["paragraphs", "sentences", "tokens", "overlong_tokens_dropped"]))
    parts.append("<h3>Vocabulary</h3>")
    parts.append(
        _table(
            ["tokens", "sentences", "types", "vocabulary", "coverage", "n_train_tokens"],
            [
                [
                    vocab["tokens"],
                    vocab["sentences"],
                    vocab["types"],
                    vocab["vocab_size"],
                    f"{100 * vocab['coverage']:.2f}%",
                    vocab["n_train_tokens"],
                ]
            ],
        )
    )
    parts.append("<h2>Training</h2>")
    parts.append(
        _table(
            ["batches", "per epoch", "resumed from", "final loss (sampled softmax)", "tokens/s", "expected then"],
            [
                [
                    train["batches"],
                    train["batches_per_epoch"],
                    train["resumed_from"],
                    train["final_loss"],
                    f"{train['measured_tokens_per_s']:,.0f}" if "measured_tokens_per_s" in train else "",
                    f"{train['expected_seconds_left'] / 60:,.1f} min left" if "expected_seconds_left" in train else "",
                ]
            ],
        )
    )
    if "measured_tokens_per_s" in train:
        parts.append(
            "<p>Tokens/s as measured over the second <code>train.log_every</code> batches (the first hold the "
            "step's compilation), and the time to the end of training it then expected.</p>"
        )
    if heldout and Path(heldout).exists():
        rows = [json.loads(line) for line in Path(heldout).read_text().splitlines() if line.strip()]
        parts.append("<h3>Held-out perplexity per epoch (full softmax)</h3>")
        parts.append(
            _table(
                ["epoch", "batch", "forward", "backward", "mean"],
                [[r["epoch"], r["step"], r["forward"], r["backward"], r["mean"]] for r in rows],
            )
        )
        parts.append(_warning_paragraph(rows[-1]))
    parts.append("<h2>Evaluation</h2>")
    if perplexity:
        p = json.loads(Path(perplexity).read_text())
        parts.append("<h3>Exported model, held-out perplexity (full softmax)</h3>")
        parts.append(
            _table(
                ["sentences", "tokens", "forward", "backward", "mean"],
                [[p["sentences"], p["tokens"], p["forward"], p["backward"], p["mean"]]],
            )
        )
        parts.append(_warning_paragraph(p))
        if "protocol" in p:
            parts.append(f"<p>Scored as {html.escape(p['protocol'])}.</p>")
    if pos or sentiment or fine:
        tasks = [path and json.loads(Path(path).read_text()) for path in (pos, sentiment, fine)]
        parts.append(_seed_table(run, *tasks))
    parts.append(_downloads(results))
    parts.append("<h2>Time and memory per rule</h2>")
    parts.append(_benchmarks(results))
    page = f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{STYLE}</style></head><body>{''.join(parts)}"
    with atomic_text(out) as fh:
        fh.write(page + "</body></html>\n")
