"""py-libp2p Waku peer for the node interop tests (Tests/WakuNodeTests/NodeInteropTests.swift).

Everything Waku here is written from PROTOCOLS.md by hand (Store v3 paging here; protobuf, message
hash and metadata in waku_common.py), independently of the Swift code, so the two implementations
check each other.

Every mode serves /vac/waku/metadata/1.0.0 (--cluster, --shards) and /vac/waku/store-query/3.0.0
(from --messages generated messages, with nwaku's paging rules), identifies every peer that
connects and asks it for its metadata, and prints one line per event. With --accept-transfer it
also takes /vac/waku/transfer/1.0.0 pushes as nwaku does (from any peer, at any time, ephemeral
ones refused; PROTOCOLS.md §5.2) and serves what it stored through Store from then on.

  MESSAGES <json>  the messages the Store server holds, with the hashes computed here
  LISTEN <addr>    (listen mode) where to dial us
  PEER <json>      what we learned about a peer (identify, metadata) once it connected
  METADATA_REQUEST <json>  a metadata request a peer sent us
  REQUEST <json>   a Store request a peer sent us, decoded
  GONE <peer id>   the connection to a peer closed
  TRANSFERRED <json>  a pushed message stored: its hash and pubsub topic
  RESULT <json>    (dial mode) the outcome of the plan

listen: print LISTEN, then serve until stdin closes.
dial:   dial --target, report on it (PEER), run --plan, print RESULT, then serve until stdin
        closes. Plans: "store" runs Store queries against the target; "hold" does nothing more.
Every run is bounded by --seconds; the process exits by itself.
"""

import argparse
import random
import sys

import multiaddr
import trio

from libp2p.abc import INotifee
from libp2p.crypto.serialization import deserialize_public_key
from libp2p.custom_types import TProtocol
from libp2p.identity.identify.identify import ID as IDENTIFY_ID
from libp2p.identity.identify.pb.identify_pb2 import Identify
from libp2p.peer.id import ID as PeerID
from libp2p.peer.peerinfo import info_from_p2p_addr

from waku_common import METADATA, TIMEOUT, Reader, bytes_field, decode_message, decode_metadata, emit
from waku_common import encode_message, encode_metadata, every, first, message_hash, metadata_server, numbers
from waku_common import parse, read_uvarint, unzigzag, uvarint, varint_field, waku_host

STORE = TProtocol("/vac/waku/store-query/3.0.0")
TRANSFER = TProtocol("/vac/waku/transfer/1.0.0")


# --- Waku messages (PROTOCOLS.md §1) -------------------------------------------------------------


def message_json(message: dict) -> dict:
    return {
        "content_topic": message["content_topic"],
        "payload": message["payload"].hex(),
        "meta": message["meta"].hex(),
        "version": message["version"],
        "timestamp": message["timestamp"],
    }


def generated_messages(count: int, seed: int) -> list[dict]:
    """Deterministic messages: two pubsub and two content topics, timestamps shared by threes
    (so the (timestamp, hash) order needs the hash), every version, empty and 64-byte metas, an
    empty payload and a zero timestamp."""
    generator = random.Random(seed)
    messages = []
    for number in range(count):
        meta_length = [0, 64, generator.randrange(1, 64)][number % 3]
        message = {
            "pubsub_topic": "/waku/2/rs/0/1" if number % 4 == 3 else "/waku/2/rs/0/0",
            "content_topic": "/pypeer/1/beta/proto" if number % 5 == 4 else "/pypeer/1/alpha/proto",
            "payload": b"" if number == 0 else generator.randbytes(generator.randrange(1, 200)),
            "meta": generator.randbytes(meta_length),
            "version": number % 3,
            "timestamp": 0 if number == 1 else 1_700_000_000_000_000_000 + (number // 3) * 1_000_000_007,
        }
        message["hash"] = message_hash(message["pubsub_topic"], message)
        messages.append(message)
    return messages


# --- Store v3 (PROTOCOLS.md §3) ------------------------------------------------------------------


def encode_request(
    request_id, include_data, pubsub_topic=None, content_topics=(), hashes=(), cursor=None, forward=True, limit=None
) -> bytes:
    # nwaku's write order; request_id, include_data and pagination_forward always.
    out = bytes_field(1, request_id.encode()) + varint_field(2, int(include_data))
    if pubsub_topic is not None:
        out += bytes_field(10, pubsub_topic.encode())
    for topic in content_topics:
        out += bytes_field(11, topic.encode())
    for value in hashes:
        out += bytes_field(20, value)
    if cursor is not None:
        out += bytes_field(51, cursor)
    out += varint_field(52, int(forward))
    if limit is not None:
        out += varint_field(53, limit)
    return out


def decode_request(data: bytes) -> dict:
    fields = parse(data)
    if first(fields, 1) is None:
        raise ValueError("MissingRequiredField request_id")
    start, end = first(fields, 12), first(fields, 13)
    topic = first(fields, 10)
    return {
        "fields": numbers(fields),
        "request_id": first(fields, 1).decode(),
        "include_data": bool(first(fields, 2, 0)),
        "pubsub_topic": topic.decode() if topic is not None else None,
        "content_topics": [value.decode() for value in every(fields, 11)],
        "time_start": unzigzag(start) if start is not None else None,
        "time_end": unzigzag(end) if end is not None else None,
        "hashes": [value.hex() for value in every(fields, 20)],
        "cursor": first(fields, 51).hex() if first(fields, 51) is not None else None,
        "forward": bool(first(fields, 52, 0)),
        "limit": first(fields, 53),
    }


def encode_response(request_id: str, status: int, desc: str, entries: list[bytes], cursor: bytes | None) -> bytes:
    out = bytes_field(1, request_id.encode()) + varint_field(10, status) + bytes_field(11, desc.encode())
    for entry in entries:
        out += bytes_field(20, entry)
    if cursor is not None:
        out += bytes_field(51, cursor)
    return out


def decode_response(data: bytes) -> dict:
    """The response as JSON, with every hash recomputed from the returned message."""
    fields = parse(data)
    for number, name in [(1, "request_id"), (10, "status_code"), (11, "status_desc")]:
        if first(fields, number) is None:
            raise ValueError(f"response without {name}")
    entries = []
    for raw in every(fields, 20):
        entry_fields = parse(raw)
        reported = first(entry_fields, 1)
        if reported is None:
            raise ValueError("entry without message_hash")
        entry = {"fields": numbers(entry_fields), "hash": reported.hex(), "message": None}
        raw_message, topic = first(entry_fields, 2), first(entry_fields, 3)
        if raw_message is not None and topic is not None:
            message = decode_message(raw_message)
            entry["pubsub_topic"] = topic.decode()
            entry["message"] = message_json(message) | {
                "fields": message["fields"],
                "rate_limit_proof": message["rate_limit_proof"].hex(),
                "ephemeral": message["ephemeral"],
            }
            entry["hash_ok"] = message_hash(topic.decode(), message) == reported
        entries.append(entry)
    cursor = first(fields, 51)
    return {
        "fields": sorted(set(numbers(fields))),
        "request_id": first(fields, 1).decode(),
        "status": first(fields, 10),
        "desc": first(fields, 11).decode(),
        "entries": entries,
        "cursor": cursor.hex() if cursor is not None else None,
    }


def answer(messages: list[dict], data: bytes) -> bytes:
    """nwaku's server semantics: matching, (timestamp, hash) order, page size 20 by default and
    at most 100, a cursor iff more rows exist, 300 for an unknown cursor, 400 for bad bytes."""
    try:
        request = decode_request(data)
    except ValueError as error:
        return encode_response("", 400, f"decoding rpc failed: {error}", [], None)
    emit("REQUEST", request)
    hashes = {bytes.fromhex(value) for value in request["hashes"]}
    rows = [
        message
        for message in messages
        if (request["pubsub_topic"] is None or message["pubsub_topic"] == request["pubsub_topic"])
        and (not request["content_topics"] or message["content_topic"] in request["content_topics"])
        and (request["time_start"] is None or message["timestamp"] >= request["time_start"])
        and (request["time_end"] is None or message["timestamp"] <= request["time_end"])
        and (not hashes or message["hash"] in hashes)
    ]
    rows.sort(key=lambda message: (message["timestamp"], message["hash"]))
    if request["cursor"] is not None:
        cursor = bytes.fromhex(request["cursor"])
        at = next((message for message in messages if message["hash"] == cursor), None)
        if at is None:
            return encode_response("", 300, "BAD_RESPONSE: archive error: DRIVER_ERROR: cursor not found", [], None)
        key = (at["timestamp"], at["hash"])
        if request["forward"]:
            rows = [row for row in rows if (row["timestamp"], row["hash"]) > key]
        else:
            rows = [row for row in rows if (row["timestamp"], row["hash"]) < key]
    if not request["forward"]:
        rows.reverse()
    limit = request["limit"]
    size = 20 if not limit else min(limit, 100)
    page = rows[:size]
    cursor = page[-1]["hash"] if len(rows) > size else None
    if not request["forward"]:
        page.reverse()
    entries = []
    for message in page:
        entry = bytes_field(1, message["hash"])
        if request["include_data"]:
            entry += bytes_field(2, encode_message(message)) + bytes_field(3, message["pubsub_topic"].encode())
        entries.append(entry)
    return encode_response(request["request_id"], 200, "OK", entries, cursor)


async def exchange(host, peer, protocol: TProtocol, request: bytes) -> bytes:
    """Opens `protocol`, writes one LP message, reads one back and closes."""
    with trio.fail_after(TIMEOUT):
        stream = await host.new_stream(peer, [protocol])
        try:
            await stream.write(uvarint(len(request)) + request)
            reply = await Reader(stream).message()
        finally:
            await stream.close()
    if reply is None:
        raise ValueError(f"{protocol}: stream closed without an answer")
    return reply


# --- what we learn about a peer ------------------------------------------------------------------


async def identify(host, peer) -> dict:
    with trio.fail_after(TIMEOUT):
        stream = await host.new_stream(peer, [IDENTIFY_ID])
        try:
            data = await Reader(stream).rest()
        finally:
            await stream.close()
    # nim-libp2p (and we) send one length-prefixed message and close.
    length, start = read_uvarint(data, 0)
    if start + length != len(data):
        raise ValueError(f"identify is not one length-prefixed message ({len(data)} bytes)")
    message = Identify()
    message.ParseFromString(data[start:])
    key = deserialize_public_key(message.public_key)
    return {
        "agent": message.agent_version,
        "protocol_version": message.protocol_version,
        "protocols": list(message.protocols),
        "listen_addrs": len(message.listen_addrs),
        "has_observed_addr": message.HasField("observed_addr"),
        "key_type": key.get_type().name,
        "key_peer_id": str(PeerID.from_pubkey(key)),
    }


async def report(host, peer, cluster: int, shards: list[int]) -> None:
    """Identifies `peer`, asks for its metadata and prints what came back (or why not)."""
    out: dict = {"peer": str(peer), "reporter": str(host.get_id())}

    def connected() -> bool:
        # new_stream would dial a peer that dropped us again; only ask over the live connection.
        if peer in host.get_connected_peers():
            return True
        out.setdefault("disconnected", True)
        return False

    try:
        if connected():
            out["identify"] = await identify(host, peer)
    except Exception as error:  # the peer may drop us; say so instead of dying
        out["identify_error"] = repr(error)
    try:
        if connected():
            out["metadata"] = decode_metadata(await exchange(host, peer, METADATA, encode_metadata(cluster, shards)))
    except Exception as error:
        out["metadata_error"] = repr(error)
    emit("PEER", out)


class Watcher(INotifee):
    """Reports every peer that connects, and prints GONE when its connection closes."""

    def __init__(self, send):
        self.send = send

    async def connected(self, network, conn) -> None:
        await self.send.send(("connected", conn.muxed_conn.peer_id))

    async def disconnected(self, network, conn) -> None:
        await self.send.send(("disconnected", conn.muxed_conn.peer_id))

    async def opened_stream(self, network, stream) -> None:
        pass

    async def closed_stream(self, network, stream) -> None:
        pass

    async def listen(self, network, multiaddr) -> None:
        pass

    async def listen_close(self, network, multiaddr) -> None:
        pass


async def watch(host, receive, nursery, cluster: int, shards: list[int], skip: set) -> None:
    async for event, peer in receive:
        if event == "connected" and peer not in skip:
            nursery.start_soon(report, host, peer, cluster, shards)
        elif event == "disconnected" and peer not in host.get_connected_peers():
            emit("GONE", str(peer))


# --- the Store client plan -----------------------------------------------------------------------


async def query(host, peer, request: bytes) -> dict:
    return decode_response(await exchange(host, peer, STORE, request))


async def paginate(host, peer, args, forward: bool, include_data: bool) -> list[dict]:
    pages, cursor = [], None
    for number in range(100):
        request_id = f"py-{'fwd' if forward else 'bwd'}-{int(include_data)}-{number}"
        page = await query(
            host,
            peer,
            encode_request(
                request_id,
                include_data,
                pubsub_topic=args.pubsub_topic,
                content_topics=[args.content_topic],
                cursor=cursor,
                forward=forward,
                limit=args.page_size,
            ),
        )
        page["request_id_echoed"] = page["request_id"] == request_id
        pages.append(page)
        if page["status"] != 200 or page["cursor"] is None:
            break
        cursor = bytes.fromhex(page["cursor"])
    return pages


async def store_plan(host, peer, args) -> dict:
    result = {}
    for forward in (True, False):
        for include_data in (True, False):
            name = f"{'forward' if forward else 'backward'}_{'data' if include_data else 'hashes'}"
            result[name] = await paginate(host, peer, args, forward, include_data)
    lookup = [bytes.fromhex(value) for value in args.lookup.split(",") if value]
    result["lookup"] = await query(
        host, peer, encode_request("py-lookup", True, hashes=lookup, forward=True, limit=len(lookup))
    )
    result["garbage"] = await query(host, peer, bytes.fromhex("deadbeef"))
    # A well-formed request without request_id, which nwaku requires by presence.
    result["no_request_id"] = await query(host, peer, varint_field(2, 1) + varint_field(52, 1))
    return result


# --- main ----------------------------------------------------------------------------------------


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["listen", "dial"])
    parser.add_argument("--target", default="")
    parser.add_argument("--plan", choices=["store", "hold"], default="hold")
    parser.add_argument("--cluster", type=int, default=0)
    parser.add_argument("--shards", default="")
    parser.add_argument("--messages", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pubsub-topic", default="/waku/2/rs/0/0")
    parser.add_argument("--content-topic", default="")
    parser.add_argument("--page-size", type=int, default=5)
    parser.add_argument("--lookup", default="")
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--accept-transfer", action="store_true")
    args = parser.parse_args()
    shards = [int(shard) for shard in args.shards.split(",") if shard]

    messages = generated_messages(args.messages, args.seed)
    emit(
        "MESSAGES",
        [message_json(message) | {"pubsub_topic": message["pubsub_topic"], "hash": message["hash"].hex()}
         for message in messages],
    )

    async def serve_store(stream) -> None:
        try:
            with trio.fail_after(TIMEOUT):
                data = await Reader(stream).message()
                if data is not None:
                    reply = answer(messages, data)
                    await stream.write(uvarint(len(reply)) + reply)
        finally:
            await stream.close()

    async def serve_transfer(stream) -> None:
        # nwaku's layout (§5.1): field 1 the pubsub topic, field 2 the message; read until the
        # stream ends, skipping what does not decode.
        reader = Reader(stream)
        try:
            while (data := await reader.message()) is not None:
                try:
                    fields = parse(data)
                    topic = first(fields, 1).decode()
                    message = decode_message(first(fields, 2))
                except (ValueError, AttributeError, TypeError):
                    continue
                if message["ephemeral"]:
                    continue
                message["pubsub_topic"] = topic
                message["hash"] = message_hash(topic, message)
                if all(stored["hash"] != message["hash"] for stored in messages):
                    messages.append(message)
                    emit("TRANSFERRED", {"hash": message["hash"].hex(), "pubsub_topic": topic})
        finally:
            await stream.close()

    def metadata_request(peer, request: dict) -> None:
        emit("METADATA_REQUEST", {"peer": str(peer)} | request)

    host = waku_host()
    host.set_stream_handler(STORE, serve_store)
    host.set_stream_handler(METADATA, metadata_server(args.cluster, shards, metadata_request))
    if args.accept_transfer:
        host.set_stream_handler(TRANSFER, serve_transfer)
    send, receive = trio.open_memory_channel(64)
    host.get_network().register_notifee(Watcher(send))
    listen = multiaddr.Multiaddr("/ip4/127.0.0.1/tcp/0")
    with trio.move_on_after(args.seconds):
        async with host.run(listen_addrs=[listen]), trio.open_nursery() as nursery:
            skip = set()
            if args.mode == "listen":
                address = f"{host.get_addrs()[0]}"
                if "/p2p/" not in address:
                    address += f"/p2p/{host.get_id()}"
                nursery.start_soon(watch, host, receive, nursery, args.cluster, shards, skip)
                emit("LISTEN", address)
            else:
                info = info_from_p2p_addr(multiaddr.Multiaddr(args.target))
                skip.add(info.peer_id)
                nursery.start_soon(watch, host, receive, nursery, args.cluster, shards, skip)
                result = {"peer_id": str(host.get_id())}
                try:
                    with trio.fail_after(TIMEOUT):
                        await host.connect(info)
                except Exception as error:  # a peer that drops us at once may beat connect()
                    result["connect_error"] = repr(error)
                else:
                    await report(host, info.peer_id, args.cluster, shards)
                    if args.plan == "store":
                        result |= await store_plan(host, info.peer_id, args)
                emit("RESULT", result)
            # Serve until the test closes our stdin.
            await trio.to_thread.run_sync(sys.stdin.read, abandon_on_cancel=True)
            nursery.cancel_scope.cancel()
        return
    emit("TIMEOUT", "")
    sys.exit(2)


if __name__ == "__main__":
    trio.run(main)
