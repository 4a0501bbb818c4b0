"""ZIP (zipfile, GBK member names too) and RAR (rarfile, with unrar or bsdtar): each member read
as a file of its own, within the unpack budget the whole file shares (`zipsafe`)."""

from __future__ import annotations

import functools
import io
import shutil
import zipfile
from collections.abc import Callable, Sequence

from crawler.attachments.model import Context, FileText, PageText
from crawler.attachments.zipsafe import SafeZip, UnpackLimit


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name: ZIP files made on Chinese Windows write GBK names without the UTF-8 flag
    (zipfile then decodes them as CP437)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _read_members(
    members: Sequence[tuple[str, Callable[[], bytes]]],
    into: FileText,
    ctx: Context,
    container: str,
) -> list[PageText]:
    pages: list[PageText] = []
    for name, load in members:
        try:
            data = load()
        except UnpackLimit:
            raise
        except Exception as error:  # encrypted, broken or unsupported compression
            reason = " ".join(str(error).split()) or type(error).__name__
            into.warnings.append(f"{name}: cannot be unpacked from the {container} ({reason})")
            continue
        inner = ctx.read(data, name, depth=ctx.depth + 1, budget=ctx.budget)
        into.members.append(name)
        into.warnings.extend(f"{name}: {warning}" for warning in inner.warnings)
        for page in inner.pages:
            page.file = f"{name}/{page.file}" if page.file else name
            pages.append(page)
    return pages


def read_zip(data: bytes, into: FileText, ctx: Context) -> list[PageText]:
    with SafeZip(data, ctx.budget, "archive") as archive:
        members: list[tuple[str, Callable[[], bytes]]] = []
        for info in archive.infos:
            if info.flag_bits & 0x1:
                into.warnings.append(f"{member_name(info)}: encrypted in the archive; not read")
                continue
            members.append((member_name(info), functools.partial(archive.read, info)))
        return _read_members(members, into, ctx, "ZIP file")


def read_rar(data: bytes, into: FileText, ctx: Context) -> list[PageText]:
    import rarfile

    if not any(shutil.which(tool) for tool in ("unrar", "unar", "bsdtar", "7z")):
        into.warnings.append(
            "RAR not opened: no unrar, unar, bsdtar or 7z; apt-get install libarchive-tools"
        )
        return []
    try:
        archive = rarfile.RarFile(io.BytesIO(data))
    except (rarfile.Error, OSError) as error:
        into.warnings.append(f"broken RAR file, not opened: {error}")
        return []
    with archive:
        if archive.needs_password():
            into.warnings.append("encrypted RAR file (a password is needed); not opened")
            return []
        infos = [i for i in archive.infolist() if not i.is_dir()]
        declared = sum(i.file_size or 0 for i in infos)
        if declared > ctx.budget.remaining:
            raise UnpackLimit(ctx.budget.refusal("archive", declared))

        def load(info: rarfile.RarInfo) -> bytes:
            parts = []
            with archive.open(info) as stream:
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    ctx.budget.claim(len(chunk), f"archive: {info.filename}")
                    parts.append(chunk)
            return b"".join(parts)

        members = [(str(i.filename), functools.partial(load, i)) for i in infos]
        return _read_members(members, into, ctx, "RAR file")
