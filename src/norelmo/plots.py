"""PNG plots of a run that a person would rather look at than numbers: the training loss curve."""

from __future__ import annotations

import json
from pathlib import Path

from .atomic import atomic_path


def plot_loss(metrics: Path, out: Path, heldout: Path | None = None) -> None:
    """Training loss per batch, and the held-out full-softmax perplexity per epoch beside it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [json.loads(line) for line in metrics.read_text().splitlines() if line.strip()]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot([r["step"] for r in rows], [r["loss"] for r in rows], lw=1, label="training loss (sampled softmax)")
    ax.set_xlabel("batch")
    ax.set_ylabel("loss, mean of both directions")
    ax.grid(alpha=0.3)
    if heldout is not None and heldout.exists():
        points = [json.loads(line) for line in heldout.read_text().splitlines() if line.strip()]
        right = ax.twinx()
        right.plot([p["step"] for p in points], [p["mean"] for p in points], "o-", color="tab:red", ms=3)
        right.set_yscale("log")
        right.set_ylabel("held-out perplexity (full softmax)", color="tab:red")
    ax.set_title("ELMo training")
    fig.tight_layout()
    with atomic_path(out) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
