#!/usr/bin/env python3
"""A line-by-line model of nwaku master's Waku Sync reconciliation, for cross-checking.

Written from waku-org/nwaku 7d1c6abaacba3e05edb57fa177381602b71b9b98:
waku/waku_store_sync/storage/seq_storage.nim (SeqStorage: a sorted array with topic index
arrays), storage/range_processing.nim (equalPartitioning), codec.nim (deltaEncode/deltaDecode)
and reconciliation.nim (preProcessPayload, processRequest, initiate). It deliberately keeps
nwaku's data structures (sorted lists, linear scans) so that it shares no code or structure
with the Swift implementation it checks.

stdin: {"initiator": [item], "responder": [item], "from": N, "to": N,
        "initiatorPubsubTopics": [..], "initiatorContentTopics": [..],
        "responderPubsubTopics": [..], "responderContentTopics": [..],
        "threshold": 100, "partitions": 8}
item:  {"timestamp": N, "hash": HEX, "pubsubTopic": T, "contentTopic": C}
stdout: {"frames": [{"from": "initiator"|"responder", "hex": HEX}],
         "initiator": {"hashesToSend": [..], "hashesToReceive": [..]}, "responder": {...}}
Topic lists are sent in the order given (nwaku iterates a HashSet).
"""
import bisect
import json
import sys

SKIP, FINGERPRINT, ITEMSET = 0, 1, 2
ZERO = bytes(32)
FULL = b"\xff" * 32


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


class SeqStorage:
    def __init__(self, items, threshold, partitions):
        items = sorted(items, key=lambda i: (i["timestamp"], bytes.fromhex(i["hash"])))
        self.elements = []
        self.pubsub_topics, self.content_topics = [], []
        self.pubsub_indexes, self.content_indexes = [], []
        for item in items:
            element = (item["timestamp"], bytes.fromhex(item["hash"]))
            if self.elements and self.elements[-1] == element:
                continue
            self.elements.append(element)
            self.pubsub_indexes.append(self._index(self.pubsub_topics, item["pubsubTopic"]))
            self.content_indexes.append(self._index(self.content_topics, item["contentTopic"]))
        self.threshold, self.partitions = threshold, partitions

    @staticmethod
    def _index(table, topic):
        if topic not in table:
            table.append(topic)
        return table.index(topic)

    def find_idx_bounds(self, lower, upper):
        lo = bisect.bisect_left(self.elements, lower)
        hi = bisect.bisect_right(self.elements, upper)
        if hi < 1 or lo >= len(self.elements):
            return None
        return (lo, hi)

    def topic_sets(self, pubsub_topics, content_topics):
        pubsub = {i for t in pubsub_topics for i, local in enumerate(self.pubsub_topics) if t == local}
        content = {i for t in content_topics for i, local in enumerate(self.content_topics) if t == local}
        return pubsub, content

    def keeps(self, i, pubsub, content):
        if pubsub and self.pubsub_indexes[i] not in pubsub:
            return False
        if content and self.content_indexes[i] not in content:
            return False
        return True

    def fingerprint_of(self, slice_, pubsub, content):
        fp = ZERO
        if slice_ is None:
            return fp
        for i in range(slice_[0], slice_[1]):
            if self.keeps(i, pubsub, content):
                fp = xor(fp, self.elements[i][1])
        return fp

    def filtered(self, slice_, pubsub, content):
        return [self.elements[i] for i in range(slice_[0], slice_[1]) if self.keeps(i, pubsub, content)]

    def compute_fingerprint(self, lower, upper, pubsub_topics, content_topics):
        pubsub, content = self.topic_sets(pubsub_topics, content_topics)
        return self.fingerprint_of(self.find_idx_bounds(lower, upper), pubsub, content)

    def process_fingerprint(self, bounds, pubsub, content, theirs, out):
        slice_ = self.find_idx_bounds(*bounds)
        if self.fingerprint_of(slice_, pubsub, content) == theirs:
            out.append((bounds, SKIP, None))
            return
        if slice_ is None:
            out.append((bounds, ITEMSET, ([], True)))
            return
        if slice_[1] - slice_[0] <= self.threshold:
            out.append((bounds, ITEMSET, (self.filtered(slice_, pubsub, content), False)))
            return
        for part in equal_partitioning(bounds, self.partitions):
            part_slice = self.find_idx_bounds(*part)
            if part_slice is None:
                out.append((part, ITEMSET, ([], True)))
            elif part_slice[1] - part_slice[0] <= self.threshold:
                out.append((part, ITEMSET, (self.filtered(part_slice, pubsub, content), False)))
            else:
                out.append((part, FINGERPRINT, self.fingerprint_of(part_slice, pubsub, content)))

    def process_itemset(self, bounds, pubsub, content, item_set, to_send, to_recv, out):
        theirs, reconciled = item_set
        slice_ = self.find_idx_bounds(*bounds)
        if slice_ is None:
            out.append((bounds, SKIP, None) if reconciled else (bounds, ITEMSET, ([], True)))
            return
        i, n = 0, len(theirs)
        j, m = slice_
        while j < m:
            if not self.keeps(j, pubsub, content):
                j += 1
                continue
            ours = self.elements[j]
            if i >= n:
                to_send.append(ours[1])
                j += 1
                continue
            their = theirs[i]
            if their < ours:
                to_recv.append(their[1])
                i += 1
            elif their > ours:
                to_send.append(ours[1])
                j += 1
            else:
                i += 1
                j += 1
        while i < n:
            to_recv.append(theirs[i][1])
            i += 1
        if not reconciled:
            out.append((bounds, ITEMSET, (self.filtered(slice_, pubsub, content), True)))
        else:
            out.append((bounds, SKIP, None))

    def process_payload(self, payload, to_send, to_recv):
        pubsub, content = self.topic_sets(payload["pubsub"], payload["content"])
        out = []
        for bounds, kind, value in payload["ranges"]:
            if kind == SKIP:
                out.append((bounds, SKIP, None))
            elif kind == FINGERPRINT:
                self.process_fingerprint(bounds, pubsub, content, value, out)
            else:
                self.process_itemset(bounds, pubsub, content, value, to_send, to_recv, out)
        merged = []
        for r in out:
            if merged and r[1] == SKIP and merged[-1][1] == SKIP:
                merged[-1] = ((merged[-1][0][0], r[0][1]), SKIP, None)
            else:
                merged.append(r)
        if all(r[1] == SKIP for r in merged):
            return []
        return merged


def equal_partitioning(bounds, count):
    lower, upper = bounds
    total = upper[0] - lower[0]
    if total < count:
        return []
    size, rem = divmod(total, count)
    parts, lb = [], lower[0]
    for _ in range(count):
        ub = lb + size
        if rem > 0:
            ub += 1
            rem -= 1
        parts.append(((lb, ZERO), (ub, ZERO)))
        lb = ub
    return parts


def leb128(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode(pubsub, content, ranges):
    if not ranges:
        return b"\x00"
    out = bytearray(leb128(len(pubsub)))
    for t in pubsub:
        out += leb128(len(t.encode())) + t.encode()
    out += leb128(len(content))
    for t in content:
        out += leb128(len(t.encode())) + t.encode()
    last_time, last_hash = ranges[0][0][0]
    out += leb128(last_time)
    for (lower, upper), kind, value in ranges:
        diff = (upper[0] - last_time) & ((1 << 64) - 1)
        last_time = upper[0]
        out += leb128(diff)
        if diff == 0:
            same = 0
            for a, b in zip(last_hash, upper[1]):
                same += 1
                if a != b:
                    break
            out.append(same)
            out += upper[1][:same]
        out.append(kind)
        if kind == FINGERPRINT:
            out += value
        elif kind == ITEMSET:
            items, reconciled = value
            out += leb128(len(items))
            item_time = 0
            for t, h in items:
                out += leb128(t - item_time)
                item_time = t
                out += h
            out.append(1 if reconciled else 0)
    return bytes(out)


def read_varint(buf, idx, window):
    value, shift, start = 0, 0, idx
    while idx < len(buf) and idx < start + window:
        byte = buf[idx]
        idx += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, idx
        shift += 7
    raise ValueError("varint")


def decode(buf):
    if len(buf) <= 1:
        return {"pubsub": [], "content": [], "ranges": []}
    idx = 0
    topics = []
    for _ in range(2):
        if idx + 9 > len(buf):
            raise ValueError("topic count")
        count, idx = read_varint(buf, idx, 9)
        lst = []
        for _ in range(count):
            if idx + 9 > len(buf):
                raise ValueError("topic length")
            length, idx = read_varint(buf, idx, 9)
            lst.append(buf[idx:idx + length].decode())
            idx += length
        topics.append(lst)
    if idx + 9 > len(buf):
        raise ValueError("timestamp")
    last_time, idx = read_varint(buf, idx, 9)
    ranges = []
    while idx < len(buf) - 1:
        lower = (last_time, ZERO)
        diff, idx = read_varint(buf, idx, 9)
        upper_hash = bytearray(ZERO)
        if diff == 0:
            same = buf[idx]
            idx += 1
            upper_hash[:same] = buf[idx:idx + same]
            idx += same
        last_time += diff
        upper = (last_time, bytes(upper_hash))
        kind = buf[idx]
        idx += 1
        if kind > 2:
            raise ValueError("range type")
        if kind == FINGERPRINT:
            ranges.append(((lower, upper), kind, bytes(buf[idx:idx + 32])))
            idx += 32
        elif kind == ITEMSET:
            count, idx = read_varint(buf, idx, 9)
            items, t = [], 0
            for _ in range(count):
                delta, idx = read_varint(buf, idx, 9)
                t += delta
                items.append((t, bytes(buf[idx:idx + 32])))
                idx += 32
            reconciled = buf[idx] == 1
            idx += 1
            ranges.append(((lower, upper), kind, (items, reconciled)))
        else:
            ranges.append(((lower, upper), kind, None))
    return {"pubsub": topics[0], "content": topics[1], "ranges": ranges}


class Side:
    def __init__(self, items, pubsub, content, threshold, partitions):
        self.storage = SeqStorage(items, threshold, partitions)
        self.pubsub, self.content = pubsub, content
        self.to_send, self.to_recv = [], []

    def preprocess(self, payload):
        if payload["pubsub"] and self.pubsub:
            both = [t for t in payload["pubsub"] if t in self.pubsub]
            if not both:
                return None
            payload["pubsub"] = both
        elif self.pubsub:
            payload["pubsub"] = list(self.pubsub)
        if payload["content"] and self.content:
            both = [t for t in payload["content"] if t in self.content]
            if not both:
                return None
            payload["content"] = both
        elif self.content:
            payload["content"] = list(self.content)
        return payload

    def step(self, buf):
        """Returns (reply bytes or None to stop silently, stop after reply)."""
        payload = decode(buf)
        if not payload["ranges"] or all(r[1] == SKIP for r in payload["ranges"]):
            return None, True
        pre = self.preprocess(payload)
        if pre is None:
            return b"", True
        out = self.storage.process_payload(pre, self.to_send, self.to_recv)
        return encode(self.pubsub, self.content, out), not out


def main():
    spec = json.load(sys.stdin)
    threshold, partitions = spec.get("threshold", 100), spec.get("partitions", 8)
    initiator = Side(spec["initiator"], spec.get("initiatorPubsubTopics", []),
                     spec.get("initiatorContentTopics", []), threshold, partitions)
    responder = Side(spec["responder"], spec.get("responderPubsubTopics", []),
                     spec.get("responderContentTopics", []), threshold, partitions)
    lower, upper = (spec["from"], ZERO), (spec["to"], FULL)
    fp = initiator.storage.compute_fingerprint(lower, upper, initiator.pubsub, initiator.content)
    frame = encode(initiator.pubsub, initiator.content, [((lower, upper), FINGERPRINT, fp)])
    frames = [{"from": "initiator", "hex": frame.hex()}]
    sides = [("responder", responder), ("initiator", initiator)]
    turn = 0
    while True:
        name, side = sides[turn]
        reply, stop = side.step(frame)
        if reply is None:
            break
        frames.append({"from": name, "hex": reply.hex()})
        frame = reply
        turn = 1 - turn
        if stop:
            # the other side reads this last frame and stops too
            _, other = sides[turn]
            other.step(frame)
            break

    def report(side):
        return {"hashesToSend": [h.hex() for h in side.to_send], "hashesToReceive": [h.hex() for h in side.to_recv]}

    json.dump({"frames": frames, "initiator": report(initiator), "responder": report(responder)}, sys.stdout)


if __name__ == "__main__":
    main()
