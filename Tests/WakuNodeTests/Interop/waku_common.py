"""What the py-libp2p Waku peers of the node interop tests share (waku_py_peer.py, relay_py_peer.py).

Everything Waku here is written from PROTOCOLS.md by hand (protobuf, WakuMessage, message hash,
metadata), independently of the Swift code, so the two implementations check each other.
"""

import hashlib
import json

import trio

from libp2p import new_host
from libp2p.crypto.secp256k1 import create_new_key_pair
from libp2p.custom_types import TProtocol
from libp2p.network.config import ConnectionConfig
from libp2p.network.stream.exceptions import StreamEOF

METADATA = TProtocol("/vac/waku/metadata/1.0.0")
TIMEOUT = 10


def emit(tag: str, value) -> None:
    text = value if isinstance(value, str) else json.dumps(value)
    print(f"{tag} {text}", flush=True)


# --- protobuf, by hand (PROTOCOLS.md §0) -------------------------------------------------------


def uvarint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def read_uvarint(data: bytes, index: int) -> tuple[int, int]:
    value, shift = 0, 0
    for count in range(10):
        if index >= len(data):
            raise ValueError("truncated varint")
        byte = data[index]
        index += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte & 0x80 == 0:
            return value, index
    raise ValueError("varint longer than 10 bytes")


def zigzag(value: int) -> int:
    return ((value << 1) ^ (value >> 63)) & 0xFFFFFFFFFFFFFFFF


def unzigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)


def varint_field(number: int, value: int) -> bytes:
    return uvarint(number << 3) + uvarint(value)


def bytes_field(number: int, value: bytes) -> bytes:
    return uvarint(number << 3 | 2) + uvarint(len(value)) + value


def parse(data: bytes) -> list[tuple[int, int, int | bytes]]:
    """Every field as (number, wire type, value) in wire order; raises on malformed input."""
    fields = []
    index = 0
    while index < len(data):
        key, index = read_uvarint(data, index)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, index = read_uvarint(data, index)
        elif wire == 2:
            length, index = read_uvarint(data, index)
            if index + length > len(data):
                raise ValueError("truncated length-delimited field")
            value = data[index : index + length]
            index += length
        elif wire == 1 or wire == 5:
            size = 8 if wire == 1 else 4
            if index + size > len(data):
                raise ValueError("truncated fixed field")
            value = data[index : index + size]
            index += size
        else:
            raise ValueError(f"bad wire type {wire}")
        if number == 0:
            raise ValueError("field number 0")
        fields.append((number, wire, value))
    return fields


def numbers(fields) -> list[int]:
    return [number for number, _, _ in fields]


def first(fields, number: int, default=None):
    for field, _, value in fields:
        if field == number:
            return value
    return default


def every(fields, number: int) -> list:
    return [value for field, _, value in fields if field == number]


# --- Waku messages (PROTOCOLS.md §1) -------------------------------------------------------------


def message_hash(pubsub_topic: str, message: dict) -> bytes:
    return hashlib.sha256(
        pubsub_topic.encode()
        + message["payload"]
        + message["content_topic"].encode()
        + message["meta"]
        + message["timestamp"].to_bytes(8, "big", signed=True)
    ).digest()


def encode_message(message: dict) -> bytes:
    # nwaku writes all seven fields, in this order, also when empty or zero.
    return (
        bytes_field(1, message["payload"])
        + bytes_field(2, message["content_topic"].encode())
        + varint_field(3, message["version"])
        + varint_field(10, zigzag(message["timestamp"]))
        + bytes_field(11, message["meta"])
        + bytes_field(21, b"")
        + varint_field(31, 0)
    )


def decode_message(data: bytes) -> dict:
    fields = parse(data)
    if first(fields, 1) is None or first(fields, 2) is None:
        raise ValueError("message without payload or content_topic")
    return {
        "fields": numbers(fields),
        "payload": first(fields, 1),
        "content_topic": first(fields, 2).decode(),
        "version": first(fields, 3, 0),
        "timestamp": unzigzag(first(fields, 10, 0)),
        "meta": first(fields, 11, b""),
        "rate_limit_proof": first(fields, 21, b""),
        "ephemeral": first(fields, 31, 0),
    }


# --- metadata (PROTOCOLS.md §7.8) ----------------------------------------------------------------


def encode_metadata(cluster: int, shards: list[int]) -> bytes:
    # nwaku: cluster, every shard unpacked in field 2, then all shards packed in field 3.
    out = varint_field(1, cluster)
    for shard in shards:
        out += varint_field(2, shard)
    if shards:
        out += bytes_field(3, b"".join(uvarint(shard) for shard in shards))
    return out


def packed(value: bytes) -> list[int]:
    out, index = [], 0
    while index < len(value):
        number, index = read_uvarint(value, index)
        out.append(number)
    return out


def decode_metadata(data: bytes) -> dict:
    fields = parse(data)
    deprecated = []
    for _, wire, value in [field for field in fields if field[0] == 2]:
        deprecated += packed(value) if wire == 2 else [value]
    current = [shard for value in every(fields, 3) for shard in packed(value)]
    return {
        "hex": data.hex(),
        "cluster_id": first(fields, 1),
        # nwaku reads field 3, else field 2.
        "shards": current or deprecated,
        "shards_field_2": deprecated,
        "shards_field_3": current,
    }


# --- streams -------------------------------------------------------------------------------------


class Reader:
    """Buffered reads on a py-libp2p stream."""

    def __init__(self, stream):
        self.stream = stream
        self.buffer = bytearray()

    async def fill(self) -> bool:
        try:
            chunk = await self.stream.read(1 << 16)
        except StreamEOF:
            chunk = b""
        if not chunk:
            return False
        self.buffer += chunk
        return True

    async def message(self) -> bytes | None:
        """One uvarint-length-prefixed message, or None at end of stream."""
        while True:
            try:
                length, start = read_uvarint(bytes(self.buffer[:10]), 0)
                if len(self.buffer) >= start + length:
                    data = bytes(self.buffer[start : start + length])
                    del self.buffer[: start + length]
                    return data
            except ValueError:
                if len(self.buffer) >= 10:
                    raise
            if not await self.fill():
                return None

    async def rest(self) -> bytes:
        while await self.fill():
            pass
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


# --- hosts ---------------------------------------------------------------------------------------


def waku_host():
    """A host with nwaku's default identity type and muxer, and no automatic (re)dials: the tests
    decide who connects when."""
    return new_host(
        key_pair=create_new_key_pair(),
        muxer_preference="YAMUX",
        connection_config=ConnectionConfig(min_connections=0, low_watermark=0, high_watermark=1),
    )


def metadata_server(cluster: int, shards: list[int], on_request=None):
    """A /vac/waku/metadata/1.0.0 handler answering with `cluster` and `shards`; `on_request` sees
    each decoded request with the peer that sent it."""

    async def serve(stream) -> None:
        try:
            with trio.fail_after(TIMEOUT):
                data = await Reader(stream).message()
                if data is not None:
                    if on_request is not None:
                        on_request(stream.muxed_conn.peer_id, decode_metadata(data))
                    reply = encode_metadata(cluster, shards)
                    await stream.write(uvarint(len(reply)) + reply)
        finally:
            await stream.close()

    return serve
