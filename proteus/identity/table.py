"""What identity reads, as columns: devices, identifiers and the links between them.

    table = LinkTable.from_links(devices, links)      # from `Link` rows (tests, small data)
    table.links()                                     # back to `Link` rows (the reference rules)

Devices are sorted; a link names its device and identifier by position (`link_device`,
`link_ident`; a device outside the device list is -1). A link's days are
`day[day_offset[n]:day_offset[n + 1]]`, proleptic ordinals (`date.toordinal()`). Kinds,
networks and address classes are small vocabularies coded as int8 (-1: none).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from proteus.identity.links import Link

NONE = -1
NO_DAY = np.iinfo(np.int32).min


def vocabulary(values: pa.Array) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes (int8, -1 for null) and the sorted distinct values of a string column."""
    values = values.cast(pa.string()) if values.type != pa.string() else values
    distinct = tuple(sorted(v for v in pc.unique(values).to_pylist() if v is not None))
    codes = pc.index_in(values, value_set=pa.array(distinct, type=pa.string()))
    return codes.fill_null(NONE).to_numpy(zero_copy_only=False).astype(np.int8), distinct


def ordinals(days: pa.Array) -> np.ndarray:
    """ISO dates (strings) as int32 ordinals, through their few distinct values."""
    if len(days) == 0:
        return np.zeros(0, dtype=np.int32)
    encoded = pc.dictionary_encode(days.cast(pa.string()))
    table = np.array([date.fromisoformat(d).toordinal() for d in encoded.dictionary.to_pylist()],
                     dtype=np.int32)
    return table[encoded.indices.to_numpy(zero_copy_only=False)]


def iso(day: int) -> str:
    return date.fromordinal(int(day)).isoformat()


@dataclass
class LinkTable:
    devices: pa.Array
    kinds: tuple[str, ...]
    ident_kind: np.ndarray
    ident_value: pa.Array
    networks: tuple[str, ...]
    ident_network: np.ndarray
    ip_classes: tuple[str, ...]
    ident_ip_class: np.ndarray
    link_device: np.ndarray
    link_ident: np.ndarray
    day_offset: np.ndarray
    day: np.ndarray

    @property
    def n_devices(self) -> int:
        return len(self.devices)

    @property
    def n_idents(self) -> int:
        return len(self.ident_kind)

    @property
    def n_links(self) -> int:
        return len(self.link_ident)

    def day_counts(self) -> np.ndarray:
        return np.diff(self.day_offset)

    def keys(self, idents: np.ndarray) -> list[str]:
        """`kind:value` of the given identifiers."""
        kinds = np.array(self.kinds, dtype=object)[self.ident_kind[idents]]
        values = self.ident_value.take(pa.array(idents, type=pa.int64())).to_pylist()
        return [f"{k}:{v}" for k, v in zip(kinds.tolist(), values, strict=True)]

    def device_ids(self) -> list[str]:
        return [str(d) for d in self.devices.to_pylist()]

    def links(self) -> list[Link]:
        """Every link with a known device, as `Link` rows (for the reference rules)."""
        ids = self.device_ids()
        kinds, values = self.ident_kind.tolist(), self.ident_value.to_pylist()
        networks, classes = self.ident_network.tolist(), self.ident_ip_class.tolist()
        offsets, days = self.day_offset.tolist(), [iso(d) for d in self.day.tolist()]
        out = []
        for n, (device, ident) in enumerate(zip(self.link_device.tolist(),
                                                self.link_ident.tolist(), strict=True)):
            if device < 0:
                continue
            out.append(Link(
                device=ids[device], kind=self.kinds[kinds[ident]], value=str(values[ident]),
                days=tuple(days[offsets[n]:offsets[n + 1]]),
                network=self.networks[networks[ident]] if networks[ident] >= 0 else None,
                ip_class=self.ip_classes[classes[ident]] if classes[ident] >= 0 else None))
        return out

    @classmethod
    def from_links(cls, devices: Iterable[str], links: Sequence[Link]) -> LinkTable:
        """A table of the given devices and links (identifier properties from the links)."""
        ident: dict[tuple[str, str], int] = {}
        first: list[Link] = []
        for link in links:
            if ident.setdefault((link.kind, link.value), len(ident)) == len(first):
                first.append(link)
        return cls.build(
            devices=pa.array(sorted(set(devices)), type=pa.string()),
            kind=pa.array([k.kind for k in first], pa.string()),
            value=pa.array([k.value for k in first], pa.string()),
            network=pa.array([k.network for k in first], pa.string()),
            ip_class=pa.array([k.ip_class for k in first], pa.string()),
            link_device=pa.array([k.device for k in links], pa.string()),
            link_ident=np.array([ident[(k.kind, k.value)] for k in links], dtype=np.int32),
            day_counts=np.array([len(k.days) for k in links], dtype=np.int64),
            days=pa.array([d for k in links for d in k.days], pa.string()),
        )

    @classmethod
    def build(cls, *, devices: pa.Array, kind: pa.Array, value: pa.Array, network: pa.Array,
              ip_class: pa.Array, link_device: pa.Array, link_ident: np.ndarray,
              day_counts: np.ndarray, days: pa.Array) -> LinkTable:
        """From columns: identifiers by position, links naming their device by id."""
        kind_codes, kinds = vocabulary(kind)
        network_codes, networks = vocabulary(network)
        class_codes, classes = vocabulary(ip_class)
        offsets = np.zeros(len(day_counts) + 1, dtype=np.int64)
        np.cumsum(day_counts, out=offsets[1:])
        codes = pc.index_in(link_device, value_set=devices).fill_null(NONE)
        return cls(
            devices=devices, kinds=kinds, ident_kind=kind_codes, ident_value=value,
            networks=networks, ident_network=network_codes, ip_classes=classes,
            ident_ip_class=class_codes,
            link_device=codes.to_numpy(zero_copy_only=False).astype(np.int32),
            link_ident=np.asarray(link_ident, dtype=np.int32), day_offset=offsets,
            day=ordinals(days))
