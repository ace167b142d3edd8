"""Progress bars that a log file can hold: tqdm's live bar on a terminal, one plain line per update elsewhere.

tqdm redraws its bar with carriage returns; written to a stage log (or a SLURM job's output file) that makes
thousands of partial lines in one physical line. Off a terminal, each update becomes its own line instead, at
most one per FILE_INTERVAL_S seconds, besides those a caller forces (the trainer's every `log_every` batches,
through set_postfix) and the last.
"""

from __future__ import annotations

import os
import sys

from tqdm import tqdm

FILE_INTERVAL_S = float(os.environ.get("NORELMO_PROGRESS_SECONDS", "30"))
UP = "\x1b[A"  # the cursor movement tqdm draws nested bars with


class _Lines:
    """A stream for tqdm that drops its redraw characters and ends every status it writes with a newline."""

    def __init__(self, stream):
        self.stream, self.last = stream, None

    def write(self, text: str) -> None:
        line = text.replace("\r", "").replace(UP, "").rstrip()
        count = line.split("[")[0]  # the status up to its times and rate
        if line and count != self.last:  # closing redraws the final count once more
            self.stream.write(line + "\n")
            self.last = count

    def flush(self) -> None:
        self.stream.flush()


def progress_bar(iterable=None, *, disable: bool = False, file=None, **kwargs) -> tqdm:
    """tqdm(iterable, **kwargs) on stderr (or `file`): live on a terminal, line by line in a file or pipe."""
    stream = sys.stderr if file is None else file
    if disable or (hasattr(stream, "isatty") and stream.isatty()):
        return tqdm(iterable, file=stream, disable=disable, **kwargs)
    kwargs.pop("dynamic_ncols", None)
    # position 0: a bar opened inside another (the held-out pass within training) writes its own lines
    # instead of moving the cursor to a row below.
    # maxinterval too: else tqdm's monitor thread forces a line whenever 10 s pass without one.
    interval = {"mininterval": FILE_INTERVAL_S, "maxinterval": max(FILE_INTERVAL_S, 1.0)}
    return tqdm(iterable, file=_Lines(stream), ascii=True, position=0, **interval, **kwargs)
