"""The `govwatch` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
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
    from crawler.replica.app import Replica
    from crawler.replica.corpus import SEED_DAY
    from crawler.replica.web import Request

    # The replica serves the real reply at its real path on its publication day.
    replica = Replica(docs=0, day=SEED_DAY)
    page = replica.handle("hangzhou-jxj", Request("GET", SEED_URL.split("gov.cn", 1)[1])).body
    document = extract_document(page, SEED_URL)
    print("govwatch demo — the 西湖31号 reply on open-source software, as extracted:\n")
    print("\n".join(_show(document.to_record())))
    return 0


def _replica(args: argparse.Namespace) -> Any:
    from crawler.replica.app import Replica
    from crawler.replica.corpus import day_number
    from crawler.replica.faults import FaultSpecError

    try:
        day = day_number(args.day) if args.day is not None else _today()
        return Replica(args.docs, day, args.seed, getattr(args, "faults", None))
    except (ValueError, FaultSpecError) as error:
        print(f"govwatch replica: {error}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def _today() -> int:
    """The replica's default day: today, within the corpus."""
    import datetime as dt

    from crawler.replica.corpus import EPOCH, LAST_DAY

    return min((dt.date.today() - EPOCH).days, LAST_DAY)


def cmd_replica_serve(args: argparse.Namespace) -> int:
    from crawler.replica.server import serve

    serve(_replica(args), args.host, args.port)
    return 0


def cmd_replica_truth(args: argparse.Namespace) -> int:
    replica = _replica(args)
    out = sys.stdout
    for record in replica.truth():
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
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

    replica = commands.add_parser(
        "replica",
        help="local portals that behave like the real ones",
        description="Serve simulated disclosure portals (Hanweb classic and its traditional "
        "mirror, jpaas, TRS WCM, www.gov.cn) or print the truth about their documents.",
    )
    actions = replica.add_subparsers(dest="action", required=True, metavar="ACTION")
    from crawler.replica.faults import __doc__ as faults_help

    for name, func, text in (
        ("serve", cmd_replica_serve, "serve every site on consecutive ports from --port"),
        (
            "truth",
            cmd_replica_truth,
            "print JSONL: every document live on --day, with its true fields",
        ),
    ):
        action = actions.add_parser(
            name,
            help=text,
            description=f"{text}. Example: govwatch replica {name} --docs 1000 --day 2023-11-03",
            epilog=f"--faults: {faults_help}" if name == "serve" else None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        action.add_argument("--docs", type=int, default=200, help="documents per site (≤ 50000)")
        action.add_argument("--day", help="ISO date or day number from 2023-01-01 (default: today)")
        action.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
        if name == "serve":
            action.add_argument("--host", default="127.0.0.1", help="interface (default loopback)")
            action.add_argument("--port", type=int, default=8400, help="first port (default 8400)")
            action.add_argument("--faults", metavar="SPEC", help="opt-in faults, see below")
        action.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
