"""Free loopback ports for a replica (its sites take consecutive ports)."""

from __future__ import annotations

import socket

from replica.sites import SITES


def free_port_block(count: int = len(SITES), start: int = 18400) -> int:
    """A first port from which `count` consecutive loopback ports are free."""
    for base in range(start, 60000, count + 3):
        sockets = []
        try:
            for offset in range(count):
                sock = socket.socket()
                sock.bind(("127.0.0.1", base + offset))
                sockets.append(sock)
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        return base
    raise RuntimeError(f"no {count} consecutive free loopback ports from {start}")
