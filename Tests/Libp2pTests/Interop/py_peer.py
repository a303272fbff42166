"""py-libp2p peer for the Swift interop tests (Tests/Libp2pTests/InteropTests.swift).

listen: serve identify, ping and /test/echo/1.0.0; print "LISTEN <multiaddr>" and run until
        stdin closes (the Swift test then dials us and drives everything).
dial:   dial the Swift host, identify it, ping it, echo messages of every size through it,
        and print one "RESULT <json>" line.
Every run is bounded by --seconds; the process exits by itself.
"""

import argparse
import json
import secrets
import sys
import time

import multiaddr
import trio

from libp2p import new_host
from libp2p.crypto.ed25519 import create_new_key_pair as ed25519_pair
from libp2p.crypto.secp256k1 import create_new_key_pair as secp256k1_pair
from libp2p.custom_types import TProtocol
from libp2p.host.ping import ID as PING_ID
from libp2p.network.stream.exceptions import StreamEOF
from libp2p.identity.identify.identify import ID as IDENTIFY_ID, parse_identify_response
from libp2p.peer.peerinfo import info_from_p2p_addr

ECHO = TProtocol("/test/echo/1.0.0")
SIZES = [1, 1000, 65535, 65536, 262144, 300000, 1 << 20]


def uvarint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


class Reader:
    """Buffered reads on a py-libp2p stream."""

    def __init__(self, stream):
        self.stream = stream
        self.buffer = bytearray()
        self.eof = False

    async def fill(self) -> bool:
        try:
            chunk = await self.stream.read(1 << 16)
        except StreamEOF:
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    async def exactly(self, count: int) -> bytes | None:
        while len(self.buffer) < count:
            if not await self.fill():
                return None
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    async def message(self) -> bytes | None:
        length, shift = 0, 0
        while True:
            byte = await self.exactly(1)
            if byte is None:
                return None
            length |= (byte[0] & 0x7F) << shift
            shift += 7
            if byte[0] & 0x80 == 0:
                break
        if length == 0:
            return b""
        return await self.exactly(length)

    async def rest(self) -> bytes:
        while await self.fill():
            pass
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


async def echo_handler(stream) -> None:
    reader = Reader(stream)
    try:
        while True:
            message = await reader.message()
            if message is None:
                break
            await stream.write(uvarint(len(message)) + message)
    finally:
        await stream.close()


def make_host(key_type: str, muxer: str):
    key_pair = secp256k1_pair() if key_type == "secp256k1" else ed25519_pair()
    return new_host(key_pair=key_pair, muxer_preference=muxer.upper())


async def run_dial(host, target: str) -> dict:
    info = info_from_p2p_addr(multiaddr.Multiaddr(target))
    await host.connect(info)
    result: dict = {"peer": str(info.peer_id)}

    stream = await host.new_stream(info.peer_id, [IDENTIFY_ID])
    identify = parse_identify_response(await Reader(stream).rest())
    await stream.close()
    result["agent"] = identify.agent_version
    result["protocols"] = list(identify.protocols)
    result["identify_key_ok"] = len(identify.public_key) > 0

    stream = await host.new_stream(info.peer_id, [PING_ID])
    reader = Reader(stream)
    rtts = []
    for _ in range(3):
        payload = secrets.token_bytes(32)
        start = time.perf_counter()
        await stream.write(payload)
        echoed = await reader.exactly(32)
        rtts.append(time.perf_counter() - start)
        if echoed != payload:
            raise RuntimeError("ping echo differs")
    await stream.close()
    result["ping_ok"] = True

    stream = await host.new_stream(info.peer_id, [ECHO])
    reader = Reader(stream)
    for size in SIZES:
        payload = secrets.token_bytes(size)
        await stream.write(uvarint(size) + payload)
        echoed = await reader.message()
        if echoed != payload:
            raise RuntimeError(f"echo of {size} bytes differs")
    await stream.close()
    result["echo_sizes"] = SIZES
    return result


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["listen", "dial"])
    parser.add_argument("--key-type", choices=["secp256k1", "ed25519"], default="secp256k1")
    parser.add_argument("--muxer", choices=["yamux", "mplex"], default="yamux")
    parser.add_argument("--target", default="")
    parser.add_argument("--seconds", type=float, default=50)
    args = parser.parse_args()

    host = make_host(args.key_type, args.muxer)
    host.set_stream_handler(ECHO, echo_handler)
    listen = multiaddr.Multiaddr("/ip4/127.0.0.1/tcp/0")
    with trio.move_on_after(args.seconds):
        async with host.run(listen_addrs=[listen]):
            if args.mode == "listen":
                address = f"{host.get_addrs()[0]}"
                if "/p2p/" not in address:
                    address += f"/p2p/{host.get_id()}"
                print(f"LISTEN {address}", flush=True)
                # Run until the test closes our stdin.
                await trio.to_thread.run_sync(sys.stdin.read, abandon_on_cancel=True)
            else:
                result = await run_dial(host, args.target)
                print("RESULT " + json.dumps(result), flush=True)
            return
    print("TIMEOUT", flush=True)
    sys.exit(2)


if __name__ == "__main__":
    trio.run(main)
