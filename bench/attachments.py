"""Attachment text: files/s and MB/s per type, govwatch's reader beside the best-known
alternative for that type, measured in the same run on the same bytes; and OCR seconds per page
with its character accuracy on scans drawn like the replica's.

    python -m bench.attachments [--files N] [--scans N]

Prints one JSON object. Peers (dev extra): PDF — pypdf and pdfminer.six (ours: pypdfium2);
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


def measure(files: int = 20, scans: int = 5) -> dict[str, Any]:
    made = corpus(files)
    results: dict[str, Any] = {}
    for kind, data in made.items():
        ours = _rate(data, lambda item, kind=kind: read_attachment(item, f"x.{kind}"))  # type: ignore[misc]
        row: dict[str, Any] = {"govwatch": ours}
        for name, peer in PEERS[kind].items():
            row[name] = _rate(data, peer)
        results[kind] = row
    results["ocr"] = measure_ocr(scans)
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.attachments", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--files", type=int, default=20, help="files of each type")
    parser.add_argument("--scans", type=int, default=5, help="scanned pages for OCR")
    args = parser.parse_args()
    print(json.dumps(measure(args.files, args.scans), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
