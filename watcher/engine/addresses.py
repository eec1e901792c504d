"""Which hosts are on a private network: loopback, private ranges, link-local (cloud metadata),
unspecified, reserved. A redirect from a public page into one of these is refused (SSRF)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket


def is_private_ip(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


class AddressPolicy:
    """Classifies a host by its addresses (a name resolves first: a name that points inside is
    inside). Tests replace `private` to stage a "public" origin on 127.0.0.1."""

    async def private(self, host: str) -> bool:
        host = host.strip("[]")
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            pass
        else:
            return is_private_ip(host)
        if host.lower() in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
            return True
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, None, type=socket.SOCK_STREAM
            )
        except OSError:
            return False  # unresolvable: the request itself will fail to connect
        return any(is_private_ip(str(info[4][0])) for info in infos)
