"""Reading a file in a child process with a memory limit and a timeout, so that one bad file (a
bomb the budget does not catch, a reader that loops or aborts the process) is a warning on that
file, never a dead crawl.

    read_attachment_isolated(data, name, content_type, max_memory_mb=1536, timeout=600)

runs `python -m crawler.attachments.isolated`, which limits its own address space
(RLIMIT_AS, inherited by the OCR and antiword programs it runs), reads the bytes from its
standard input and prints the FileText's record as JSON. The parent kills the child's whole
process group at the timeout. What it returns is the child's FileText, or one for the same bytes
with the warning "reading stopped: over the memory limit (N MB)" or "reading stopped: timed out
after N s".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

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


def read_attachment_isolated(
    data: bytes,
    name: str | None = None,
    content_type: str | None = None,
    *,
    max_memory_mb: int = DEFAULT_MEMORY_MB,
    timeout: float = DEFAULT_TIMEOUT,
) -> FileText:
    """`read_attachment` in a child process limited to `max_memory_mb` of address space and
    `timeout` seconds; never raises on the file's content, nor on the child dying."""
    header = json.dumps({"name": name, "content_type": content_type}).encode() + b"\n"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p)}  # fmt: skip
    command = [sys.executable, "-m", "crawler.attachments.isolated", str(max_memory_mb)]
    try:
        child = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, env=env,
        )  # fmt: skip
    except OSError as error:
        return _stopped(data, name, content_type, f"reading stopped: no child process ({error})")
    try:
        out, err = child.communicate(header + data, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(child)
        child.communicate()
        return _stopped(data, name, content_type, f"reading stopped: timed out after {timeout:g} s")
    finally:
        _kill(child)  # the OCR or antiword it may have left behind
    if child.returncode == 0:
        try:
            return FileText.from_record(json.loads(out))
        except (ValueError, KeyError, TypeError):
            pass
    message = err.decode("utf-8", "replace")
    died = child.returncode < 0 and -child.returncode in (signal.SIGKILL, signal.SIGSEGV,
                                                          signal.SIGABRT, signal.SIGBUS)  # fmt: skip
    if died or any(sign in message for sign in _MEMORY_SIGNS):
        warning = f"reading stopped: over the memory limit ({max_memory_mb} MB)"
    else:
        last = next((line for line in reversed(message.splitlines()) if line.strip()), "")
        warning = f"reading stopped: the reader failed (exit {child.returncode}: {last[:200]})"
    return _stopped(data, name, content_type, warning)


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

    stream = sys.stdin.buffer
    header = json.loads(stream.readline())
    data = stream.read()
    result = read_attachment(data, header.get("name"), header.get("content_type"))
    result.warnings = [
        f"reading stopped: over the memory limit ({limit_mb} MB)"
        if w.startswith("reading stopped: out of memory")
        else w
        for w in result.warnings
    ]
    sys.stdout.buffer.write(json.dumps(result.to_record(), ensure_ascii=False).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
