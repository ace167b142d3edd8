"""Downloads against a real HTTP server on 127.0.0.1: success, a wrong sha1, and a resumed partial file."""

import functools
import hashlib
import http.server
import os
import threading
from pathlib import Path

import pytest

from norelmo.download import download
from norelmo.errors import NorelmoError

from .conftest import DUMP


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files, honouring `Range: bytes=N-` as dumps.wikimedia.org does; records what it sent."""

    sent: list[tuple[int, int]] = []

    cut_next: bool = False

    def do_GET(self):
        if RangeHandler.cut_next:  # promise the whole file, send half, drop the connection
            RangeHandler.cut_next = False
            data = Path(self.translate_path(self.path)).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        wanted = self.headers.get("Range", "")
        path = self.translate_path(self.path)
        if not wanted.startswith("bytes=") or not os.path.isfile(path):
            return super().do_GET()
        start = int(wanted[len("bytes=") :].rstrip("-"))
        data = Path(path).read_bytes()
        RangeHandler.sent.append((start, len(data) - start))  # before the reply, which the client may see first
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        self.wfile.write(data[start:])

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(RangeHandler, directory=str(DUMP.parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


SHA1 = hashlib.sha1(DUMP.read_bytes()).hexdigest()


def test_download_verifies_sha1_and_writes_the_file(server, tmp_path):
    out = download(f"{server}/{DUMP.name}", tmp_path / DUMP.name, SHA1, progress=False)
    assert Path(out["file"]).read_bytes() == DUMP.read_bytes()
    assert not list(tmp_path.glob("*.part"))


def test_a_wrong_checksum_leaves_no_file(server, tmp_path):
    with pytest.raises(NorelmoError, match="sha1"):
        download(f"{server}/{DUMP.name}", tmp_path / DUMP.name, "0" * 40, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_a_partial_download_is_resumed_from_where_it_stopped(server, tmp_path):
    part = tmp_path / (DUMP.name + ".part")
    part.write_bytes(DUMP.read_bytes()[:1000])
    RangeHandler.sent.clear()
    out = download(f"{server}/{DUMP.name}", tmp_path / DUMP.name, SHA1, progress=False)
    assert Path(out["file"]).read_bytes() == DUMP.read_bytes()
    assert RangeHandler.sent == [(1000, DUMP.stat().st_size - 1000)]


def test_a_missing_file_is_one_clear_error(server, tmp_path):
    with pytest.raises(NorelmoError, match="download failed"):
        download(f"{server}/missing.xml.bz2", tmp_path / "missing.xml.bz2", progress=False)


def test_a_connection_cut_mid_file_is_resumed_on_the_next_call(server, tmp_path):
    RangeHandler.cut_next = True
    with pytest.raises(NorelmoError, match="rerun to resume"):
        download(f"{server}/{DUMP.name}", tmp_path / DUMP.name, SHA1, progress=False)
    part = tmp_path / (DUMP.name + ".part")
    assert part.stat().st_size == DUMP.stat().st_size // 2 and not (tmp_path / DUMP.name).exists()
    RangeHandler.sent.clear()
    out = download(f"{server}/{DUMP.name}", tmp_path / DUMP.name, SHA1, progress=False)
    assert Path(out["file"]).read_bytes() == DUMP.read_bytes()
    assert RangeHandler.sent == [(DUMP.stat().st_size // 2, DUMP.stat().st_size - DUMP.stat().st_size // 2)]
