"""Send a stage's output (progress bars, warnings, library chatter) to its Snakemake log file."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from pathlib import Path


@contextlib.contextmanager
def log_to(path: str | Path):
    """Redirect stdout, stderr and the logging module to `path` for the duration of the block.

    File descriptors 1 and 2 are redirected as well, because UDPipe and TensorFlow write from C++.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(path, "w", encoding="utf-8", buffering=1) as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        handler = logging.StreamHandler(fh)
        logging.getLogger().addHandler(handler)
        try:
            with contextlib.redirect_stdout(fh), contextlib.redirect_stderr(fh):
                yield fh
        except Exception:
            traceback.print_exc(file=fh)
            raise
        finally:
            logging.getLogger().removeHandler(handler)
            fh.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
