"""Memory bombs are a warning on their file, never an out-of-memory or a dead process; the
isolated reader turns a reader over its memory limit or its time into a warning too."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from crawler.attachments import read_attachment, read_attachment_isolated
from crawler.attachments.isolated import IsolatedReader
from crawler.attachments.zipsafe import Budget, SafeZip, UnpackLimit
from replica import formats
from replica import hard_files as samples

ROOT = Path(__file__).parent.parent.parent
#: Each bomb unpacks to this many MB (over the 200 MB budget) and is well under 1 MB on disk.
BOMB_MB = 300

BOMBS = {
    "bomb.docx": lambda: samples.docx_bomb(BOMB_MB),
    "bomb.xlsx": lambda: samples.xlsx_bomb(BOMB_MB),
    "bomb.ofd": lambda: samples.ofd_bomb(BOMB_MB),
    "bomb.zip": lambda: samples.zip_nested_bomb(BOMB_MB // 4),
}


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {name: make() for name, make in BOMBS.items()}


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_is_small_on_disk_and_a_warning_when_read(
    bombs: dict[str, bytes], name: str
) -> None:
    data = bombs[name]
    assert len(data) < 1024 * 1024
    result = read_attachment(data, name)
    assert any("200 MB" in w and "bomb" in w for w in result.warnings), result.warnings


def _child_peak(path: Path, limit_mb: int) -> tuple[int, str]:
    """Read the file in a child whose address space is limited; its peak memory and warnings."""
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({limit_mb} << 20, {limit_mb} << 20))\n"
        "from crawler.attachments import read_attachment\n"
        "result = read_attachment(open(sys.argv[1], 'rb').read(), sys.argv[1])\n"
        "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(int(peak) // 1024); print(' | '.join(result.warnings))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    peak, warnings = done.stdout.splitlines()[:2]
    return int(peak), warnings


@pytest.mark.parametrize("name", list(BOMBS))
def test_memory_stays_bounded_under_a_1_gb_limit(
    bombs: dict[str, bytes], name: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(bombs[name])
    peak, warnings = _child_peak(path, 1024)
    assert "bomb" in warnings
    assert peak < 600, f"{name} peaked at {peak} MB"


def test_declared_sizes_that_lie_do_not_unpack_past_them() -> None:
    result = read_attachment(samples.lying_zip(BOMB_MB), "谎报.zip")
    assert result.text == "" and result.warnings  # zipfile stops at the declared size: bad CRC


def test_the_budget_is_shared_across_nesting() -> None:
    inner = formats.zip_of({"a.txt": b"A" * 3_000_000})
    outer = formats.zip_of({"x.zip": inner, "y.zip": inner})
    budget = Budget(limit=5 * 2**20)  # each container alone fits; both do not
    result = read_attachment(outer, "外.zip", budget=budget)
    assert result.pages[0].file == "x.zip/a.txt" and len(result.pages) == 1
    [warning] = result.warnings
    assert warning.startswith("y.zip: archive declares 2.9 MB unpacked, more than the 2.1 MB")
    assert warning.endswith("left of the 5 MB limit for the whole file (a ZIP bomb?); not opened")


def test_safezip_stops_a_member_at_the_limit_whatever_it_declared() -> None:
    data = formats.zip_of({"big.txt": b"A" * 5_000_000})
    budget = Budget(limit=6_000_000)
    with SafeZip(data, budget, "test") as archive:
        archive.budget = Budget(limit=1_000_000)  # as if its header had said less
        with pytest.raises(UnpackLimit):
            archive.read("big.txt")


def test_cells_spread_over_the_whole_sheet_do_not_abort_the_process() -> None:
    result = read_attachment(samples.xlsx_far_cell(), "表.xlsx")
    assert "开源软件\t1" in result.text and "7" in result.text
    assert any("read cell by cell" in w for w in result.warnings)


def test_normal_files_still_read_within_the_budget() -> None:
    big = formats.docx([f"第{i}段：开源软件" for i in range(3000)])
    assert "第2999段：开源软件" in read_attachment(big, "a.docx").text
    nested = formats.zip_of({"b.zip": formats.zip_of({"c.docx": formats.docx(["内层"])})})
    assert "内层" in read_attachment(nested, "a.zip").text


def test_isolated_reading_gives_the_same_text() -> None:
    data = formats.docx(list(samples.REPLY))
    isolated = read_attachment_isolated(data, "答复.docx", max_memory_mb=1024, timeout=120)
    local = read_attachment(data, "答复.docx")
    assert isolated.to_record() == local.to_record()


def test_isolated_reading_of_a_bomb_is_its_warning(bombs: dict[str, bytes]) -> None:
    result = read_attachment_isolated(bombs["bomb.docx"], "bomb.docx", max_memory_mb=1024)
    assert result.type == "docx" and any("bomb" in w for w in result.warnings)


def _grid_over_300_mb() -> bytes:
    """100 MB of small cells (within the unpack budget): calamine's grid of them and their
    Python values take more than 300 MB."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(formats.xlsx({"s": [[1]]}))) as old,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                new.writestr(info, old.read(info))
                continue
            row = b"<row>" + b"<c><v>1</v></c>" * 100 + b"</row>"
            new.writestr(info.filename, b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                         b'spreadsheetml/2006/main"><sheetData>' + row * 65_000
                         + b"</sheetData></worksheet>")  # fmt: skip
    return out.getvalue()


def test_isolated_reading_over_the_memory_limit_is_a_warning() -> None:
    result = read_attachment_isolated(_grid_over_300_mb(), "大表.xlsx", max_memory_mb=300)
    assert result.warnings == ["reading stopped: over the memory limit (300 MB)"]
    assert result.type == "xlsx" and result.pages == []


def test_one_child_reads_file_after_file_and_a_dead_one_is_replaced() -> None:
    first, second = formats.docx(["第一份：开源软件"]), formats.docx(["第二份"])
    with IsolatedReader(max_memory_mb=300, timeout=120) as reader:
        assert "开源软件" in reader.read(first, "a.docx").text
        child = reader._child
        assert child is not None and "第二份" in reader.read(second, "b.docx").text
        assert reader._child is child  # the same process read both
        # Over the limit in a child that had read others: tried again in a fresh child, and
        # over it there too.
        over = reader.read(_grid_over_300_mb(), "大表.xlsx")
        assert over.warnings == ["reading stopped: over the memory limit (300 MB)"]
        assert (
            reader.read(first, "a.docx").to_record() == read_attachment(first, "a.docx").to_record()
        )
        assert reader._child is not None and reader._child is not child
        last = reader._child
    assert last.poll() is not None  # closed with the reader


def test_a_child_past_its_time_is_killed_and_the_next_file_read() -> None:
    # 1 ms: no child can start and answer in that (a fresh child's read of this file takes
    # about 60 ms here, and 50 ms let a quick one answer in time).
    with IsolatedReader(timeout=0.001) as reader:
        assert reader.read(formats.docx(["开源"]), "a.docx").warnings == [
            "reading stopped: timed out after 0.001 s"
        ]
        assert reader._child is None  # killed, with its group
        reader.timeout = 120
        assert "第二份" in reader.read(formats.docx(["第二份"]), "b.docx").text


def test_a_child_that_stops_taking_its_input_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file bigger than the pipe holds, handed to a child that never reads it: the file's
    time runs out and the child is killed, rather than the crawl blocking on the write."""

    def stuck(reader: IsolatedReader) -> subprocess.Popen[bytes]:
        reader._child = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(60)"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        return reader._child

    monkeypatch.setattr(IsolatedReader, "_start", stuck)
    answers: list[list[str]] = []
    with IsolatedReader(timeout=0.5) as reader:
        thread = threading.Thread(
            target=lambda: answers.append(reader.read(b"x" * 2_000_000, "big.txt").warnings),
            daemon=True,
        )
        thread.start()
        thread.join(20)
        assert answers == [["reading stopped: timed out after 0.5 s"]]
        assert reader._child is None  # killed, with its group


def test_a_child_is_replaced_after_its_share_of_files() -> None:
    with IsolatedReader(files_per_child=2) as reader:
        reader.read(formats.docx(["一"]), "1.docx")
        child = reader._child
        reader.read(formats.docx(["二"]), "2.docx")
        assert reader._child is None and child is not None and child.poll() is not None
        assert "三" in reader.read(formats.docx(["三"]), "3.docx").text


def test_isolated_reading_past_its_time_is_a_warning() -> None:
    result = read_attachment_isolated(formats.docx(["开源"]), "a.docx", timeout=0.05)
    assert result.warnings == ["reading stopped: timed out after 0.05 s"]


def test_millions_of_empty_paragraphs_stop_at_the_element_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crawler.attachments.formats import office

    monkeypatch.setattr(office, "MAX_ELEMENTS", 1000)
    head = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    body = head + b"<w:body>" + b"<w:p/>" * 5000 + b"</w:body></w:document>"
    source = formats.docx(["开头"])
    data = samples._rezip(source, "word/document.xml", lambda stream: stream.write(body) and None)
    result = read_attachment(data, "空段落.docx")
    assert any("more than 1,000 paragraphs; a bomb?" in w for w in result.warnings)
    assert "开头" in read_attachment(source, "a.docx").text


def test_a_large_ofd_page_is_streamed_to_the_same_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.attachments.formats import ofd

    data = formats.ofd(list(samples.REPLY))
    whole = read_attachment(data, "答复.ofd").text
    monkeypatch.setattr(ofd, "SMALL_PAGE", 0)
    assert read_attachment(data, "答复.ofd").text == whole


def test_a_picture_of_too_many_pixels_is_a_warning_not_decoded() -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (12000, 12000), 1).save(out, "PNG")  # 40 KB packed, 144 million pixels
    result = read_attachment(out.getvalue(), "巨图.png")
    assert result.pages == [] and "too large to read" in result.warnings[0]


def test_pictures_found_by_signature_are_cut_at_their_own_end() -> None:
    from crawler.attachments.formats.images import signature_images

    png = formats.png_scan(["开源软件"])
    blob = b"head" + png + b"\x00" * 1000 + png + b"tail"
    assert signature_images(blob) == [png, png]
