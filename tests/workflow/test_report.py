"""`snakemake --report` on the sample run, opened in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from ..conftest import ROOT
from .workdir import snakemake

pytestmark = pytest.mark.slow

# Where the screenshots stay after the test (the sample run's own folder is temporary).
SHOTS = ROOT / "results" / "test-artifacts"
# As root in a container, and with no network: no sandbox, nothing fetched in the background.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Decode every image the report embeds and measure its ink (share of pixels that are not near-white).
MEASURE_IMAGES = """async () => {
  const out = {};
  for (const [path, r] of Object.entries(results)) {
    if (!r.mime_type.startsWith("image/")) continue;
    const img = new Image();
    img.src = r.data_uri;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const ctx = c.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) ink++;
    out[path] = {width: img.naturalWidth, height: img.naturalHeight, ink: ink / (c.width * c.height)};
  }
  return out;
}"""


def chromium() -> str:
    """Debian's Chromium, installed with apt when it is missing (CI starts without it)."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("NO BROWSER TEST: Chromium is not installed and apt-get cannot run as root here to install it")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}"
    return shutil.which("chromium")


def test_report_shows_the_plots_and_the_run_summary_in_a_browser(sample_run):
    from playwright.sync_api import sync_playwright

    snakemake(sample_run, "--report", "report.html")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto((sample_run / "report.html").as_uri())
        for category in ("Run summary", "Training", "Vocabulary"):
            assert page.get_by_text(category, exact=True).count() == 1, category

        images = page.evaluate(MEASURE_IMAGES)
        assert set(images) == {"results/sample/train/loss.png", "results/sample/vocab/rank-frequency.png"}
        for path, image in images.items():
            assert image["width"] >= 400 and image["height"] >= 300, (path, image)
            assert 0.005 < image["ink"] < 0.6, (path, image)  # curves and axes drawn, not a blank or solid image

        # What a reader does: open the category, press the result's eye button, look at the plot.
        for category, name in (("Training", "loss.png"), ("Vocabulary", "rank-frequency.png")):
            page.goto((sample_run / "report.html").as_uri())
            page.get_by_text(category, exact=True).click()
            page.locator("tr", has_text=name).locator("a[iconname=eye]").click()
            shown = page.locator("img[src^='data:image/png']")
            shown.wait_for()
            assert shown.evaluate("img => img.complete && img.naturalWidth") >= 400
            page.screenshot(path=str(SHOTS / f"report-{name}"))

        page.goto((sample_run / "report.html").as_uri())
        page.get_by_text("Run summary", exact=True).click()
        page.locator("tr", has_text="summary.html").locator("a[iconname=eye]").click()
        frame = page.frame_locator("iframe")
        for heading in ("Extraction", "Tokenization (UDPipe)", "Held-out perplexity per epoch (full softmax)"):
            assert frame.get_by_text(heading, exact=True).count() == 1, heading
        # The loss curve and the rank-frequency plot come first, inline in the page.
        plots = frame.locator("p.plots img")
        plots.first.wait_for()
        widths = plots.evaluate_all("imgs => imgs.map(img => img.complete ? img.naturalWidth : 0)")
        assert len(widths) == 2 and min(widths) >= 400, widths
        assert plots.evaluate_all("imgs => imgs.map(img => img.alt)") == [
            "training loss and held-out perplexity",
            "the vocabulary's rank-frequency plot",
        ]
        # NorELMo's table: this run's rows (one per sentiment method) above the published models'.
        table = frame.get_by_text("NorELMo's evaluation table, this run beside the published models")
        assert table.count() == 1
        assert frame.get_by_text("sample (this run), sentiment by BiLSTM", exact=True).count() == 1
        assert frame.get_by_text("NorELMo30 (published)", exact=True).count() == 1
        assert frame.get_by_text("98.1 (8)", exact=True).count() == 1
        # The sample's test sets are its own: its cells say so rather than sit beside the published columns.
        for split in ("bokmaal-sample-test.conllu (100 sentences)", "test.json (60 sentences)"):
            assert frame.get_by_text(f"not comparable: scored on {split}").count() >= 1, split
        assert frame.get_by_text("not reproduced").count() == 0  # the fine-grained column is this run's too
        assert frame.get_by_text("34.5 (446)", exact=True).count() == 1
        page.screenshot(path=str(SHOTS / "report-summary.png"))
        table.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "report-evaluation.png"))
        browser.close()
    print(f"\nscreenshots: {', '.join(str(p) for p in sorted(SHOTS.glob('report-*.png')))}")
