"""Attachment text: files/s and MB/s per type, govwatch's reader beside the best-known
alternative for that type, measured in the same run on the same bytes; and OCR seconds per page
with its character accuracy on scans drawn like the replica's.

    python -m bench.attachments [--files N] [--scans N] [--bomb-mb N] [--write-samples DIR]

Prints one JSON object. `tricky`: facts found and files read on our own hard files (garbled PDF
text layers, image-only DOCX/DOC/WPS, WPS and DOC in their other forms, DOC text antiword
drops; `replica/hard_files.py`, tests/fixtures/attachments/); `bombs`: the peak memory
(max RSS of a child process) reading ZIP bombs of --bomb-mb MB unpacked, and what it said. Peers (dev extra): PDF — pypdf and pdfminer.six (ours: pypdfium2);
DOCX — docx2txt (ours: python-docx, tables in order); XLSX — openpyxl read-only (ours:
python-calamine); XLS — xlrd (ours: python-calamine); DOC — catdoc (ours: antiword, Debian's;
both on the replica's real LibreOffice-made sample). OFD and ZIP have no maintained Python peer (easyofd needs PyMuPDF, AGPL), so
ours stand alone. Scans: Tesseract `chi_sim` (Debian's tesseract-ocr-chi-sim).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crawler.attachments import read_attachment
from replica import formats

_SENTENCES = (
    "坚持以数字化改革为引领，推动产业高质量发展，持续完善政策体系和服务体系。",
    "围绕重点领域，我们组织开展专题调研，梳理存在的问题和短板，研究提出针对性举措。",
    "截至目前，全市已累计支持相关项目{n}个，带动社会投资{m}亿元。",
    "联系人：软件处王红，联系电话：0571-8{n}{m}。",
    "下一步，我们将认真研究吸收有关意见，进一步加大支持力度。",
)


def _paragraphs(rng: random.Random, count: int) -> list[str]:
    return [
        rng.choice(_SENTENCES).format(n=rng.randint(10, 999), m=rng.randint(10, 99))
        for _ in range(count)
    ]


def corpus(files: int, seed: int = 7) -> dict[str, list[bytes]]:
    """Files of every type, a few pages each (a PDF of ~3 pages, a sheet of 60 rows)."""
    rng = random.Random(seed)
    made: dict[str, list[bytes]] = {"pdf": [], "docx": [], "xlsx": [], "ofd": [], "zip": []}
    for _ in range(files):
        text = _paragraphs(rng, 60)
        made["pdf"].append(formats.pdf_text(text))
        made["docx"].append(formats.docx(text, [["项目", "金额"], ["开源社区", "30"]] * 10))
        rows = [[f"单位{i}", i, rng.randint(1, 500), "备注文字"] for i in range(60)]
        made["xlsx"].append(formats.xlsx({"汇总": rows}))
        made["ofd"].append(formats.ofd(text))
        made["zip"].append(formats.zip_of({"a.docx": formats.docx(text[:20]),
                                           "b.ofd": formats.ofd(text[20:])}))  # fmt: skip
    # Legacy formats no free library writes: the replica's real samples, read as many times.
    samples = Path(formats.__file__).parent / "samples"
    if shutil.which("antiword") or shutil.which("catdoc"):
        made["doc"] = [(samples / "notice.doc").read_bytes()] * files
    made["xls"] = [(samples / "table.xls").read_bytes()] * files
    return made


def _rate(data: list[bytes], run: Callable[[bytes], object], repeat: int = 2) -> dict[str, float]:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for item in data:
            run(item)
        best = min(best, time.perf_counter() - start)
    size = sum(map(len, data)) / 1e6
    return {"files_per_s": round(len(data) / best, 1), "mb_per_s": round(size / best, 2)}


def _pypdf(data: bytes) -> object:
    import pypdf

    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _pdfminer(data: bytes) -> object:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def _docx2txt(data: bytes) -> object:
    import docx2txt

    return docx2txt.process(io.BytesIO(data))


def _openpyxl(data: bytes) -> object:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return ["\t".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]  # fmt: skip


def _xlrd(data: bytes) -> object:
    import xlrd

    book = xlrd.open_workbook(file_contents=data)
    return ["\t".join(str(v) for v in sheet.row_values(r))
            for sheet in book.sheets() for r in range(sheet.nrows)]  # fmt: skip


def _catdoc(data: bytes) -> object:
    import subprocess

    return subprocess.run(["catdoc", "-d", "utf-8", "-w"], input=data, capture_output=True,
                          check=False).stdout  # fmt: skip


PEERS: dict[str, dict[str, Callable[[bytes], object]]] = {
    "pdf": {"pypdf": _pypdf, "pdfminer.six": _pdfminer},
    "docx": {"docx2txt": _docx2txt},
    "xlsx": {"openpyxl": _openpyxl},
    "xls": {"xlrd": _xlrd},
    "doc": {"catdoc": _catdoc} if shutil.which("catdoc") else {},
    "ofd": {},
    "zip": {},
}


def measure(files: int = 20, scans: int = 5, bomb_mb: int = 300) -> dict[str, Any]:
    made = corpus(files)
    results: dict[str, Any] = {}
    for kind, data in made.items():
        ours = _rate(data, lambda item, kind=kind: read_attachment(item, f"x.{kind}"))  # type: ignore[misc]
        row: dict[str, Any] = {"govwatch": ours}
        for name, peer in PEERS[kind].items():
            row[name] = _rate(data, peer)
        results[kind] = row
    results["ocr"] = measure_ocr(scans)
    results["tricky"] = measure_tricky()
    results["bombs"] = measure_bombs(bomb_mb)
    return results


def measure_ocr(scans: int, seed: int = 11) -> dict[str, Any]:
    """Tesseract on scanned one-page PDFs: seconds per page, characters right, confidence."""
    from crawler.attachments.ocr import available, char_accuracy

    reason = available()
    if reason or not formats.can_scan():
        return {"skipped": reason or "no CJK font (apt-get install fonts-wqy-zenhei)"}
    rng = random.Random(seed)
    seconds, right, confidence = [], [], []
    for _ in range(scans):
        text = _paragraphs(rng, 12)
        data = formats.pdf_scan(text)
        start = time.perf_counter()
        result = read_attachment(data, "scan.pdf")
        seconds.append((time.perf_counter() - start) / max(len(result.pages), 1))
        right.append(char_accuracy("\n".join(text), result.text))
        confidence.append(result.ocr_confidence or 0.0)
    return {
        "pages": scans,
        "seconds_per_page": round(sum(seconds) / len(seconds), 2),
        "char_accuracy": round(sum(right) / len(right), 4),
        "worst_char_accuracy": round(min(right), 4),
        "mean_confidence": round(sum(confidence) / len(confidence), 3),
    }


FIXTURES = Path(__file__).parent.parent / "tests" / "fixtures" / "attachments"


def tricky_samples() -> list[tuple[str, bytes, tuple[str, ...]]]:
    """(file name, bytes, facts its text must hold) for each of our hard files."""
    from replica import hard_files as samples

    reply, facts = samples.REPLY, samples.REPLY_FACTS
    half = len(reply) // 2
    made: list[tuple[str, bytes, tuple[str, ...]]] = []
    if samples.can_garble():
        for how in samples.GARBLINGS:
            pages = [(reply[:half], False), (reply[half:], True)]
            made.append((f"garbled-{how}.pdf", samples.pdf_garbled(pages, how), facts))
        made.append(("garbled-all.pdf", samples.pdf_garbled([(reply, True)], "rare"), facts))
        for how in ("private-use", "latin1", "ascii"):
            title = samples.pdf_garbled([(reply, [0, 5])], how)  # the title's font broken
            made.append((f"garbled-title-{how}.pdf", title, facts))
    if formats.can_scan():
        made.append(("outlined.pdf", samples.pdf_outlined(reply), facts))
        made.append(("scanned.docx", samples.docx_scanned(reply, title="附件"), facts))
        made.append(("scanned-emf.docx", samples.docx_emf_scan(reply), facts))
    big5 = tuple(samples.traditional(f) for f in facts)
    made += [
        ("ooxml.wps", formats.docx(list(reply)), facts),
        ("rtf-gbk.wps", samples.rtf(reply), facts),
        ("rtf-big5.doc", samples.rtf(reply, "big5"), big5),
        ("rtf-unicode.doc", samples.rtf(reply, unicode=True), facts),
        ("web-page.doc", samples.word_html(reply), facts),
        ("web-archive.doc", samples.word_html(reply, mht=True), facts),
        ("utf16.wps", "\n".join(reply).encode("utf-16"), facts),
        ("big5.txt", samples.traditional("\n".join(reply)).encode("big5"), big5),
        (
            "old-layout.wps",
            b"WPS\x00\x01\x02" + "\n".join(reply).encode("gbk") + b"\x00\x07",
            facts,
        ),
    ]
    for path in sorted(FIXTURES.glob("*.*")):
        if path.suffix in (".doc", ".wps"):
            made.append((path.name, path.read_bytes(), facts))
    return made


def _found(facts: tuple[str, ...], text: str) -> int:
    from crawler.attachments.ocr import plain

    have = plain(text)
    return sum(1 for fact in facts if plain(fact) in have)


def measure_tricky() -> dict[str, Any]:
    """Facts found and files read (some text) on the tricky samples, file by file."""
    per_file: dict[str, Any] = {}
    found = total = read = 0
    for name, data, facts in tricky_samples():
        result = read_attachment(data, name)
        hits = _found(facts, result.text)
        found, total, read = found + hits, total + len(facts), read + bool(result.text)
        per_file[name] = {"facts": f"{hits}/{len(facts)}", "reader": result.reader}
    return {"facts_found": f"{found}/{total}", "facts_share": round(found / max(total, 1), 3),
            "files_read": f"{read}/{len(per_file)}", "files": per_file}  # fmt: skip


_BOMB_CHILD = """
import sys, time
from crawler.attachments import read_attachment
data = open(sys.argv[1], "rb").read()
start = time.perf_counter()
result = read_attachment(data, sys.argv[2])
# VmHWM: this process's own peak (ru_maxrss would count the parent's memory at the fork).
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(round(time.perf_counter() - start, 2), peak // 1024)
print((result.warnings or [""])[0][:160])
"""


def measure_bombs(unpacked_mb: int) -> dict[str, Any]:
    """Peak memory (MB, max RSS of the reading process) and seconds reading each bomb."""
    import subprocess
    import sys
    import tempfile

    from replica import hard_files as samples

    bombs: dict[str, Callable[[], bytes]] = {
        "docx": lambda: samples.docx_bomb(unpacked_mb),
        "xlsx": lambda: samples.xlsx_bomb(unpacked_mb),
        "ofd": lambda: samples.ofd_bomb(unpacked_mb),
        "zip-in-zip": lambda: samples.zip_nested_bomb(unpacked_mb // 4),
        "lying-zip": lambda: samples.lying_zip(unpacked_mb),
        "xlsx-far-cell": samples.xlsx_far_cell,
    }
    out: dict[str, Any] = {"unpacked_mb": unpacked_mb}
    with tempfile.TemporaryDirectory() as folder:
        for kind, make in bombs.items():
            data = make()
            path = Path(folder) / f"bomb.{kind.split('-')[0]}"
            path.write_bytes(data)
            done = subprocess.run([sys.executable, "-c", _BOMB_CHILD, str(path), path.name],
                                  capture_output=True, text=True, timeout=1800, check=False)  # fmt: skip
            lines = done.stdout.splitlines()
            if done.returncode != 0 or len(lines) < 2:
                last = (done.stderr.strip().splitlines() or [""])[-1][:160]
                out[kind] = {
                    "on_disk_kb": len(data) // 1024,
                    "died": done.returncode,
                    "error": last,
                }
                continue
            seconds, peak = lines[0].split()
            out[kind] = {"on_disk_kb": len(data) // 1024, "peak_mb": int(peak),
                         "seconds": float(seconds), "warning": lines[1]}  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.attachments", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--files", type=int, default=20, help="files of each type")
    parser.add_argument("--scans", type=int, default=5, help="scanned pages for OCR")
    parser.add_argument("--bomb-mb", type=int, default=300, help="what the ZIP bombs unpack to")
    parser.add_argument("--write-samples", metavar="DIR", help="write the tricky samples and "
                        "their facts (facts.json) to DIR, and measure nothing")  # fmt: skip
    args = parser.parse_args()
    if args.write_samples:
        folder = Path(args.write_samples)
        folder.mkdir(parents=True, exist_ok=True)
        facts = {}
        for name, data, expected in tricky_samples():
            (folder / name).write_bytes(data)
            facts[name] = expected
        (folder / "facts.json").write_text(json.dumps(facts, ensure_ascii=False, indent=1))
        return
    print(json.dumps(measure(args.files, args.scans, args.bomb_mb), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
