"""Progress off a terminal is one plain line per status; on a terminal it stays tqdm's live bar."""

import io
import os
import select

from norelmo import progress
from norelmo.progress import progress_bar


def test_a_file_gets_one_line_per_status_and_nested_bars_no_cursor_moves(monkeypatch):
    monkeypatch.setattr(progress, "FILE_INTERVAL_S", 0.0)
    log = io.StringIO()
    with progress_bar(total=3, desc="train", unit="batch", file=log, dynamic_ncols=True) as outer:
        for _ in range(3):
            outer.update(1)
            for _ in progress_bar(range(2), desc="held-out", file=log):
                pass
    text = log.getvalue()
    assert "\r" not in text and "\x1b" not in text
    lines = text.splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["train", "train", "held-out"]
    train = [line for line in lines if line.startswith("train:")]
    assert len(train) == 4 and train[-1].startswith("train: 100%") and "3/3" in train[-1]  # 0 to 3, closing adds none
    assert sum(line.startswith("held-out: 100%") for line in lines) == 3


def test_a_file_gets_a_status_line_at_most_every_interval_besides_the_first_and_last(monkeypatch):
    monkeypatch.setattr(progress, "FILE_INTERVAL_S", 3600.0)
    log = io.StringIO()
    with progress_bar(total=1000, desc="pages", file=log) as bar:
        for _ in range(1000):
            bar.update(1)
    assert [line.split("|")[0] for line in log.getvalue().splitlines()] == ["pages:   0%", "pages: 100%"]


def read_until_hangup(leader: int, timeout_s: float = 30.0) -> bytes:
    """All a closed pty's follower wrote: one read may return only the first writes, since the kernel hands
    a pty's writes to its leader asynchronously (a loaded machine showed just the 0% status)."""
    out = b""
    while select.select([leader], [], [], timeout_s)[0]:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the follower is closed and everything it wrote has been read
            break
        if not chunk:
            break
        out += chunk
    return out


def test_a_terminal_keeps_the_live_bar():
    leader, follower = os.openpty()
    with os.fdopen(follower, "w") as tty:
        with progress_bar(total=2, desc="train", file=tty, mininterval=0) as bar:
            bar.update(2)
    assert b"\rtrain: 100%" in read_until_hangup(leader)
    os.close(leader)
