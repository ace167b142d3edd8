"""Send a stage's output (progress bars, warnings, library chatter) to its Snakemake log file, and its
failure to the user in one line."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from pathlib import Path

from .errors import NorelmoError, debugging, error_line


@contextlib.contextmanager
def log_to(path: str | Path):
    """Redirect stdout, stderr and the logging module to `path` for the duration of the block.

    File descriptors 1 and 2 are redirected as well, because UDPipe and TensorFlow write from C++.
    A NorelmoError (bad input, named by its message) ends the process with exit status 1 after one line,
    `norelmo: error: <message>` (as a `norelmo` command prints it), in the log and on the terminal Snakemake
    writes to; its traceback only with NORELMO_DEBUG=1. Any other exception keeps its traceback in both places.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    failure = None
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
        except NorelmoError as exc:
            if debugging():
                traceback.print_exc(file=fh)
            failure = error_line(exc)
            print(failure, file=fh)
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
    if failure:
        print(failure, file=sys.stderr, flush=True)
        raise SystemExit(1)
