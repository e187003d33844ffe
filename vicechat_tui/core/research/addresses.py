"""Which network addresses the page fetcher may talk to.

Only globally routable unicast addresses are allowed. Loopback, private, link-local,
unique-local, multicast, unspecified, shared (CGNAT), reserved and cloud-metadata addresses
are refused, also when wrapped in an IPv6 form (IPv4-mapped, 6to4, NAT64), unless the
person lists the host name, the address or its network in `[web_fetch] allow_private_hosts`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_HOSTNAMES = frozenset(
    {
        "metadata.google.internal",
        "metadata.goog",
        "metadata",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(text)
    for text in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def normalise_host(host: str) -> str:
    """Lower case, without brackets or a trailing dot: the form allowlists compare."""
    return host.strip().strip("[]").rstrip(".").lower()


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: IPAddress) -> str | None:
    """Why `address` is refused ("a loopback address", …), or None when it is public."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return address_refusal(embedded)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv6Address) and address in _UNIQUE_LOCAL:
        return "a unique-local address"
    if address.is_private:
        return "a private network address"
    if not address.is_global:
        return "a non-public address"
    return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Refuses non-public addresses except the hosts and networks allowed by the person."""

    allowed_hosts: frozenset[str]
    allowed_networks: tuple[IPNetwork, ...]

    @classmethod
    def from_allowlist(cls, entries: Iterable[str]) -> AddressPolicy:
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            name = normalise_host(entry)
            try:
                networks.append(ipaddress.ip_network(name, strict=False))
            except ValueError:
                hosts.add(name)
        return cls(frozenset(hosts), tuple(networks))

    def host_allowed(self, host: str) -> bool:
        """True when the person allowed this host name (any address it resolves to)."""
        return normalise_host(host) in self.allowed_hosts

    def address_allowed(self, address: IPAddress) -> bool:
        return any(address in network for network in self.allowed_networks)

    def host_refusal(self, host: str) -> str | None:
        """Why a host name is refused before any lookup (cloud metadata names)."""
        if self.host_allowed(host):
            return None
        if normalise_host(host) in METADATA_HOSTNAMES:
            return "a cloud metadata host"
        return None

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """Why connecting to `address` (resolved from `host`) is refused, or None."""
        if self.host_allowed(host) or self.address_allowed(address):
            return None
        return address_refusal(address)
