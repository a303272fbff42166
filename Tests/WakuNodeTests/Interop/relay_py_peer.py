"""py-libp2p 0.8.1 gossipsub peer for the relay interop tests (Tests/WakuNodeTests/RelayInteropTests.swift).

It runs py-libp2p's own GossipSub on /meshsub/1.2.0 and /meshsub/1.1.0 (it cannot speak
/vac/waku/relay/2.0.0, PROTOCOLS.md §10.10) with no signing and Waku's message id (the raw
SHA-256 of the data), serves Waku metadata (cluster 0) so the node keeps it, dials --target,
subscribes to --topic, and prints one line per event:

  READY <json>      the target subscribed to the topic: we can publish and be published to
  PUBLISHED <json>  we published a WakuMessage (written by hand here); its hash
  RECEIVED <json>   a WakuMessage arrived on the topic; its hash and payload
  INVALID <json>    with --invalid: we published what the node must refuse (before the valid
                    message: one stamped an hour ahead, and bytes that are no WakuMessage; after
                    it, one above the 150 KiB frame limit); their hashes or message ids

With --publish it first waits until the target is in its mesh (py-libp2p publishes to its mesh
only), then publishes once. Serves until stdin closes; every run is bounded by --seconds (exit 2
on timeout).
"""

import argparse
import hashlib
import sys
import time

import multiaddr
import trio

from libp2p.peer.peerinfo import info_from_p2p_addr
from libp2p.pubsub.gossipsub import PROTOCOL_ID_V11, PROTOCOL_ID_V12, GossipSub
from libp2p.pubsub.pubsub import Pubsub
from libp2p.tools.anyio_service import background_trio_service

from waku_common import METADATA, TIMEOUT, decode_message, emit, encode_message, message_hash, metadata_server
from waku_common import waku_host


async def wait_until(condition) -> None:
    """Polls `condition` until it holds, at most TIMEOUT seconds (trio.TooSlowError after)."""
    with trio.fail_after(TIMEOUT):
        while not condition():
            await trio.sleep(0.05)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--topic", default="/waku/2/rs/0/0")
    parser.add_argument("--content-topic", default="/wakusync/1/relay-interop/proto")
    parser.add_argument("--publish", default="")
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--invalid", action="store_true")
    args = parser.parse_args()

    host = waku_host()
    host.set_stream_handler(METADATA, metadata_server(0, [0]))
    # The configuration PROTOCOLS.md §10.10 records as working with nwaku.
    router = GossipSub(
        protocols=[PROTOCOL_ID_V12, PROTOCOL_ID_V11],
        degree=6,
        degree_low=4,
        degree_high=8,
        heartbeat_interval=1,
        spam_protection_enabled=False,
    )
    pubsub = Pubsub(host, router, strict_signing=False, msg_id_constructor=lambda m: hashlib.sha256(m.data).digest())
    listen = multiaddr.Multiaddr("/ip4/127.0.0.1/tcp/0")
    with trio.move_on_after(args.seconds):
        async with host.run(listen_addrs=[listen]), background_trio_service(pubsub), background_trio_service(router):
            await pubsub.wait_until_ready()
            subscription = await pubsub.subscribe(args.topic)
            info = info_from_p2p_addr(multiaddr.Multiaddr(args.target))
            with trio.fail_after(TIMEOUT):
                await host.connect(info)
            await wait_until(lambda: info.peer_id in pubsub.peer_topics.get(args.topic, set()))
            emit("READY", {"peer_id": str(host.get_id())})

            async def receive() -> None:
                while True:
                    message = await subscription.get()
                    try:
                        decoded = decode_message(message.data)
                    except ValueError:
                        # py-libp2p hands us our own publishes too, the --invalid garbage among them.
                        continue
                    emit(
                        "RECEIVED",
                        {"hash": message_hash(args.topic, decoded).hex(), "payload": decoded["payload"].decode()},
                    )

            async with trio.open_nursery() as nursery:
                nursery.start_soon(receive)
                if args.publish:
                    # The target grafts us when we subscribe, or we graft it at our next heartbeat.
                    await wait_until(lambda: info.peer_id in router.mesh.get(args.topic, set()))
                    message = {
                        "payload": args.publish.encode(),
                        "content_topic": args.content_topic,
                        "version": 0,
                        "timestamp": time.time_ns(),
                        "meta": b"",
                    }
                    if args.invalid:
                        future = dict(message, payload=b"stamped an hour ahead", timestamp=time.time_ns() + 3600 * 10**9)
                        await pubsub.publish(args.topic, encode_message(future))
                        garbage = b"\xff" * 40
                        await pubsub.publish(args.topic, garbage)
                        emit(
                            "INVALID",
                            {
                                "future": message_hash(args.topic, future).hex(),
                                "garbage_id": hashlib.sha256(garbage).hexdigest(),
                            },
                        )
                    await pubsub.publish(args.topic, encode_message(message))
                    emit("PUBLISHED", {"hash": message_hash(args.topic, message).hex()})
                    if args.invalid:
                        oversized = dict(message, payload=b"x" * 160_000)
                        await pubsub.publish(args.topic, encode_message(oversized))
                        emit("INVALID", {"oversized": message_hash(args.topic, oversized).hex()})
                # Serve until the test closes our stdin.
                await trio.to_thread.run_sync(sys.stdin.read, abandon_on_cancel=True)
                nursery.cancel_scope.cancel()
            return
    emit("TIMEOUT", "")
    sys.exit(2)


if __name__ == "__main__":
    trio.run(main)
