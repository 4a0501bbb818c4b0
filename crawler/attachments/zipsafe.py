"""ZIP containers opened against a budget of unpacked bytes: DOCX, XLSX, OFD, ODS, OOXML WPS and
ZIP files, and every container nested in them, share one budget per file read.

A 1.5 MB DOCX can unpack to gigabytes (deflate packs a run of one byte a thousand to one), and a
container's declared sizes can lie. So the declared sizes are checked when a container is opened
(its whole declared size must fit what is left of the budget), and every member is then read in
bounded chunks that are counted as they come: reading stops at the limit whatever the headers
said. What goes over is an `UnpackLimit` the readers turn into a warning on the file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import IO

#: How many bytes all the containers of one file may unpack to, nesting included.
MAX_UNPACKED = 200 * 1024 * 1024
_CHUNK = 1 << 20
_DEFLATE_MAX = 1032  # deflate's largest expansion (a run of one byte, 258 bytes a 2-bit code)


class UnpackLimit(Exception):
    """The file's containers unpack to more than the budget allows (a ZIP bomb)."""


class Budget:
    """Bytes a file's containers may still unpack to."""

    def __init__(self, limit: int = MAX_UNPACKED) -> None:
        self.limit = limit
        self.used = 0

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def refusal(self, what: str, declared: int) -> str:
        """Why a container that declares `declared` bytes unpacked is not opened."""
        left = (
            f"over the {self.limit / 2**20:.0f} MB limit"
            if not self.used
            else f"more than the {self.remaining / 2**20:.1f} MB left of the "
            f"{self.limit / 2**20:.0f} MB limit for the whole file"
        )
        return (
            f"{what} declares {declared / 2**20:.1f} MB unpacked, {left} (a ZIP bomb?); not opened"
        )

    def claim(self, count: int, what: str) -> None:
        self.used += count
        if self.used > self.limit:
            raise UnpackLimit(
                f"{what} unpacks to more than the {self.limit / 2**20:.0f} MB limit (a ZIP bomb?); "
                "reading stopped there"
            )


class _Bounded(io.RawIOBase):
    """A member's stream that claims every byte it gives from the budget."""

    def __init__(self, raw: IO[bytes], budget: Budget, what: str) -> None:
        self._raw = raw
        self._budget = budget
        self._what = what

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(min(len(buffer), _CHUNK))
        self._budget.claim(len(data), self._what)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class SafeZip:
    """A ZIP file read within a budget; `what` names it in warnings ("DOCX file", "word/…")."""

    def __init__(self, data: bytes, budget: Budget, what: str) -> None:
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        self.budget = budget
        self.what = what
        self.infos = [info for info in self.archive.infolist() if not info.is_dir()]
        declared = sum(info.file_size for info in self.infos)
        if declared > budget.remaining:
            self.archive.close()
            raise UnpackLimit(budget.refusal(what, declared))
        self._names = {info.filename.lower(): info for info in self.infos}

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *_: object) -> None:
        self.archive.close()

    def namelist(self) -> list[str]:
        return [info.filename for info in self.infos]

    def find(self, name: str) -> zipfile.ZipInfo | None:
        """A member by name, case and a leading slash aside."""
        return self._names.get(name.lstrip("/").lower())

    def open(self, member: str | zipfile.ZipInfo) -> io.BufferedReader:
        """A member as a stream (for a streaming parser), bounded by the budget."""
        info = member if isinstance(member, zipfile.ZipInfo) else self.find(member)
        if info is None:
            raise KeyError(member)
        raw = self.archive.open(info)
        return io.BufferedReader(_Bounded(raw, self.budget, f"{self.what}: {info.filename}"))

    def read(self, member: str | zipfile.ZipInfo) -> bytes:
        """A member's bytes, read in chunks until the budget runs out."""
        parts: list[bytes] = []
        with self.open(member) as stream:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                parts.append(chunk)
        return b"".join(parts)

    def fits_budget(self) -> bool:
        """Whether the container cannot unpack past the budget whatever its headers say: deflate
        expands at most 1032 to 1, and stored members not at all (other methods can do more)."""
        if any(
            i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for i in self.infos
        ):
            return False
        return (
            sum(info.compress_size for info in self.infos) * _DEFLATE_MAX <= self.budget.remaining
        )

    def check_all(self) -> None:
        """Unpack every member without keeping it: what a library that opens the container
        itself (calamine) will unpack is then known to fit the budget."""
        for info in self.infos:
            with self.open(info) as stream:
                for _ in iter(lambda: stream.read(_CHUNK), b""):
                    pass

    def members(self) -> Iterator[zipfile.ZipInfo]:
        yield from self.infos
