"""The `govwatch` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from crawler.extract import extract_document
from crawler.items import Document

EXIT_USAGE = 2

#: The real reply that the demo reads: the 西湖31号 reply on open-source software.
SEED_URL = "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"


def _extract_file(path: Path, url: str | None, encoding: str | None) -> Document:
    body = path.read_bytes()
    document = extract_document(body, url or path.resolve().as_uri(), encoding=encoding)
    page_url = document.meta.get("Url", "")
    if url is None and page_url.startswith(("http://", "https://")):
        # A saved page that names its own address: resolve its links against that address.
        document = extract_document(body, page_url, encoding=encoding)
    return document


def cmd_extract(args: argparse.Namespace) -> int:
    documents: list[Document] = []
    for name in args.files:
        path = Path(name)
        try:
            documents.append(_extract_file(path, args.url, args.encoding))
        except OSError as error:
            reason = error.strerror or str(error)
            print(f"govwatch extract: cannot read {name}: {reason}", file=sys.stderr)
            return EXIT_USAGE
    for document in documents:
        indent = 2 if args.pretty else None
        print(json.dumps(document.to_record(), ensure_ascii=False, indent=indent))
    return 0


def _show(record: dict[str, Any], indent: str = "") -> list[str]:
    lines: list[str] = []
    for key, value in record.items():
        if key == "body_text" and isinstance(value, str):
            first = value.splitlines()[0] if value else ""
            lines.append(f"{indent}{key:16} {first} … ({len(value)} characters)")
        elif isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            lines.extend(_show(value, indent + "  "))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{indent}{key}:")
            lines.extend(f"{indent}  - {json.dumps(item, ensure_ascii=False)}" for item in value)
        else:
            shown = "、".join(value) if isinstance(value, list) else value
            lines.append(f"{indent}{key:16} {shown if shown not in (None, '') else '—'}")
    return lines


def cmd_demo(args: argparse.Namespace) -> int:
    page = resources.files("crawler").joinpath("data/xihu31-reply.html").read_bytes()
    document = extract_document(page, SEED_URL)
    print("govwatch demo — the 西湖31号 reply on open-source software, as extracted:\n")
    print("\n".join(_show(document.to_record())))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govwatch",
        description="Monitor Chinese government information-disclosure portals (政府信息公开).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    extract = commands.add_parser(
        "extract",
        help="extract every field of saved disclosure pages as JSON",
        description="Print one JSON object per FILE (one per line) with every extracted field. "
        "Example: govwatch extract page.html --url http://jxj.hangzhou.gov.cn/art/…html",
    )
    extract.add_argument("files", nargs="+", metavar="FILE", help="a saved HTML page")
    extract.add_argument(
        "--url", help="the page's address (default: its Url meta tag, else the file)"
    )
    extract.add_argument("--encoding", help="the charset the server declared (default: detect)")
    extract.add_argument("--pretty", action="store_true", help="indent the JSON")
    extract.set_defaults(func=cmd_extract)

    demo = commands.add_parser(
        "demo",
        help="show the whole job on the embedded default",
        description="Extract the real 西湖31号 reply on open-source software and print its fields.",
    )
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
