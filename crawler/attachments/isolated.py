"""Reading files in a child process with a memory limit and a timeout, so that one bad file (a
bomb the budget does not catch, a reader that loops or aborts the process) is a warning on that
file, never a dead crawl.

    with IsolatedReader(max_memory_mb=1536, timeout=600) as reader:
        reader.read(data, name, content_type)          # file after file, one child
    read_attachment_isolated(data, name, content_type)  # one file, a child of its own

The child (`python -m crawler.attachments.isolated MB`) limits its own address space (RLIMIT_AS,
inherited by the OCR and antiword programs it runs) and reads file after file from its standard
input — a JSON header line with the file's size, then its bytes — printing each FileText's record
as one JSON line. One child serves many files: starting Python and the readers for every file
cost a crawl with attachments most of its CPU (16 s against 4.5 s for 150 documents of the
replica). The parent kills the child's whole process group at the timeout; a child that dies is
replaced for the next file. What `read` returns is the child's FileText, or one for the same
bytes with the warning "reading stopped: over the memory limit (N MB)" or "reading stopped: timed
out after N s". A file over the limit in a child that had read others is tried once more in a
fresh child, so what earlier files left in memory never counts against it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from crawler.attachments.model import FileText

#: Address space the child may use. A Python with the readers loaded maps about 300 MB; PDFium,
#: lxml and calamine on a real attachment stay well under a gigabyte.
DEFAULT_MEMORY_MB = 1536
#: Seconds one file may take (OCR of 40 pages at ~2 s each, antiword, and headroom).
DEFAULT_TIMEOUT = 600.0
_MEMORY_SIGNS = ("MemoryError", "memory allocation of", "Cannot allocate memory", "bad_alloc",
                 "out of memory", "std::bad_alloc", "failed to allocate")  # fmt: skip
_ROOT = str(Path(__file__).resolve().parents[2])


def _stopped(data: bytes, name: str | None, content_type: str | None, warning: str) -> FileText:
    from crawler.attachments.read import detect_type

    kind = detect_type(data, name, content_type)
    result = FileText(
        name or "attachment", "unknown" if kind.startswith("unknown") else kind, len(data),
        hashlib.sha256(data).hexdigest(),
    )  # fmt: skip
    result.warnings.append(warning)
    return result


class IsolatedReader:
    """One child process that reads file after file under the memory limit, each within
    `timeout` seconds; replaced when it dies, times out, or has read `files_per_child` files."""

    def __init__(
        self, max_memory_mb: int = DEFAULT_MEMORY_MB, timeout: float = DEFAULT_TIMEOUT,
        files_per_child: int = 200,
    ) -> None:  # fmt: skip
        self.max_memory_mb, self.timeout = max_memory_mb, timeout
        self.files_per_child = files_per_child
        self._child: subprocess.Popen[bytes] | None = None
        self._errors: IO[bytes] | None = None  # the child's stderr (a file: a pipe could fill)
        self._read = 0  # files the current child has read

    def __enter__(self) -> IsolatedReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def read(
        self, data: bytes, name: str | None = None, content_type: str | None = None
    ) -> FileText:
        """`read_attachment` in the child; never raises on the file's content, nor on the child
        dying."""
        result = self._read_once(data, name, content_type)
        if result is None:  # over the limit in a child that had read other files: once more, fresh
            result = self._read_once(data, name, content_type)
        assert result is not None  # a fresh child's answer is final
        return result

    def close(self, *, wait: float = 5.0) -> int:
        """End the child (given `wait` seconds to exit on the end of its input, then killed with
        whatever OCR or antiword it left behind); its exit code."""
        child, errors = self._child, self._errors
        self._child, self._errors, self._read = None, None, 0
        if errors is not None:
            errors.close()
        if child is None:
            return 0
        with contextlib.suppress(OSError):
            assert child.stdin is not None
            child.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=wait)
        _kill(child)
        returncode = child.wait()
        if child.stdout is not None:
            child.stdout.close()
        return returncode

    def _start(self) -> subprocess.Popen[bytes] | str:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p)}  # fmt: skip
        command = [sys.executable, "-m", "crawler.attachments.isolated", str(self.max_memory_mb)]
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115  (closed by close())
        try:
            self._child = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors,
                start_new_session=True, env=env,
            )  # fmt: skip
        except OSError as error:
            self.close()
            return f"reading stopped: no child process ({error})"
        return self._child

    def _read_once(
        self, data: bytes, name: str | None, content_type: str | None
    ) -> FileText | None:
        """The child's reading; None where a child that had read other files went over the
        memory limit (the caller tries a fresh one)."""
        child = self._child or self._start()
        if isinstance(child, str):
            return _stopped(data, name, content_type, child)
        fresh = self._read == 0
        header = json.dumps({"name": name, "content_type": content_type, "size": len(data)})
        line: bytes | None = None
        # The file's time starts as it is handed over: a child that stops taking its input (a
        # file bigger than the pipe holds) times out too, rather than block the crawl.
        deadline = time.monotonic() + self.timeout
        try:
            assert child.stdin is not None and child.stdout is not None
            if _send(child.stdin, header.encode() + b"\n" + data, deadline):
                line = _line(child.stdout, deadline)
            else:
                line = _TIMED_OUT
        except OSError:  # the child died while taking its input
            pass
        if line is _TIMED_OUT:
            self.close(wait=0)
            warning = f"reading stopped: timed out after {self.timeout:g} s"
            return _stopped(data, name, content_type, warning)
        if line:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                result = FileText.from_record(json.loads(line))
                self._read += 1
                if not fresh and _over_limit(self.max_memory_mb) in result.warnings:
                    self.close()
                    return None
                if self._read >= self.files_per_child:
                    self.close()
                return result
        # The child died, or answered nonsense: why, from its exit and its last words.
        if not line:  # its output ended: it is exiting, its last words written
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=5)
        message = self._last_words()
        returncode = self.close(wait=0)
        died = returncode < 0 and -returncode in (signal.SIGKILL, signal.SIGSEGV,
                                                  signal.SIGABRT, signal.SIGBUS)  # fmt: skip
        if died or any(sign in message for sign in _MEMORY_SIGNS):
            if not fresh:
                return None
            warning = _over_limit(self.max_memory_mb)
        else:
            last = next((line for line in reversed(message.splitlines()) if line.strip()), "")
            warning = f"reading stopped: the reader failed (exit {returncode}: {last[:200]})"
        return _stopped(data, name, content_type, warning)

    def _last_words(self) -> str:
        """The end of what the child wrote to its stderr."""
        if self._errors is None:
            return ""
        self._errors.seek(0)
        return self._errors.read()[-20_000:].decode("utf-8", "replace")


def read_attachment_isolated(
    data: bytes,
    name: str | None = None,
    content_type: str | None = None,
    *,
    max_memory_mb: int = DEFAULT_MEMORY_MB,
    timeout: float = DEFAULT_TIMEOUT,
) -> FileText:
    """`read_attachment` in a child process of its own, limited to `max_memory_mb` of address
    space and `timeout` seconds; never raises on the file's content, nor on the child dying."""
    with IsolatedReader(max_memory_mb, timeout, files_per_child=1) as reader:
        return reader.read(data, name, content_type)


_TIMED_OUT = b"timed out"


def _ready(selector: selectors.BaseSelector, deadline: float) -> bool:
    """Whether the pipe is ready before the deadline."""
    left = deadline - time.monotonic()
    return left > 0 and bool(selector.select(left))


def _send(stream: IO[bytes], data: bytes, deadline: float) -> bool:
    """Write all of `data` to the child by the deadline (False: it stopped taking it)."""
    fd = stream.fileno()
    view = memoryview(data)
    os.set_blocking(fd, False)
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_WRITE)
            while view:
                if not _ready(selector, deadline):
                    return False
                with contextlib.suppress(BlockingIOError):
                    view = view[os.write(fd, view) :]
    finally:
        os.set_blocking(fd, True)
    return True


def _line(stream: IO[bytes], deadline: float) -> bytes | None:
    """One line from the child, `_TIMED_OUT` past the deadline, or None at its end."""
    fd = stream.fileno()
    chunks: list[bytes] = []
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            if not _ready(selector, deadline):
                return _TIMED_OUT
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            chunks.append(chunk)
            if chunk.endswith(b"\n"):
                return b"".join(chunks)


def _over_limit(max_memory_mb: int) -> str:
    """The warning of a file whose reading went over the memory limit."""
    return f"reading stopped: over the memory limit ({max_memory_mb} MB)"


def _kill(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)


def main(argv: list[str]) -> int:
    import resource

    limit_mb = int(argv[0]) if argv else DEFAULT_MEMORY_MB
    limit = limit_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)  # (a process may lower its hard limit, never raise it)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from crawler.attachments.read import read_attachment

    stream, out = sys.stdin.buffer, sys.stdout.buffer
    while header_line := stream.readline():
        header = json.loads(header_line)
        data = stream.read(header["size"])
        result = read_attachment(data, header.get("name"), header.get("content_type"))
        result.warnings = [
            _over_limit(limit_mb) if w.startswith("reading stopped: out of memory") else w
            for w in result.warnings
        ]
        out.write(json.dumps(result.to_record(), ensure_ascii=False).encode() + b"\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
