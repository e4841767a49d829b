#!/usr/bin/env python3
"""Holds every packet of an NFQUEUE queue for a fixed time, then lets it go: the 'delay' of
`tc qdisc ... netem delay`, for kernels built without sch_netem. netns.ts runs it inside a network
namespace, where an iptables rule sends the packets to queue it binds.

    python3 nfqueue-delay.py QUEUE DELAY_MS

It speaks nfnetlink_queue over a raw netlink socket (Python's standard library, nothing to
install): binds the queue, asks for packet metadata only, and answers with batch verdicts (ACCEPT
every packet up to an id) once each packet's time is up. The delay is the same for every packet,
so they leave in the order they came. Prints "ready" once bound; any failure exits non-zero.
"""
import collections
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
SO_RCVBUFFORCE = 33
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_CONFIG, NFQNL_MSG_VERDICT_BATCH = 0, 2, 3
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN, NFQA_CFG_MASK, NFQA_CFG_FLAGS = 1, 2, 3, 4, 5
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_CFG_F_GSO = 4
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NF_ACCEPT = 1
# Packets held at once before the kernel drops new ones: far more than a test's connections fill.
QUEUE_MAXLEN = 100_000


def attribute(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * (-length % 4)


class Queue:
    def __init__(self, number):
        self.number = number
        self.seq = 0
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
        self.sock.bind((0, 0))

    def send(self, kind, flags, attributes):
        self.seq += 1
        body = struct.pack("=BB", socket.AF_UNSPEC, 0) + struct.pack("!H", self.number)
        body += b"".join(attributes)
        header = struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags, self.seq, 0)
        self.sock.send(header + body)

    def configure(self, *attributes):
        self.send(NFQNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, attributes)
        answer = self.sock.recv(65536)
        (_, kind) = struct.unpack_from("=IH", answer)
        if kind == NLMSG_ERROR:
            (error,) = struct.unpack_from("=i", answer, 16)
            if error != 0:
                raise OSError(-error, f"the kernel refused to configure NFQUEUE {self.number}")

    def bind(self):
        self.configure(attribute(NFQA_CFG_CMD, struct.pack("=BxH", NFQNL_CFG_CMD_BIND, 0)))
        self.configure(
            attribute(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META)),
            attribute(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", QUEUE_MAXLEN)),
            # Segmentation offload packets are queued whole, not cut up first.
            attribute(NFQA_CFG_FLAGS, struct.pack("!I", NFQA_CFG_F_GSO)),
            attribute(NFQA_CFG_MASK, struct.pack("!I", NFQA_CFG_F_GSO)),
        )

    def packet_ids(self):
        """The ids of the packets in one read from the socket."""
        data = self.sock.recv(1 << 20)
        at = 0
        while at + 16 <= len(data):
            (length, kind) = struct.unpack_from("=IH", data, at)
            if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                cursor = at + 20  # netlink header and nfgenmsg
                while cursor + 4 <= at + length:
                    (size, attr_kind) = struct.unpack_from("=HH", data, cursor)
                    if attr_kind & 0x7FFF == NFQA_PACKET_HDR:
                        yield struct.unpack_from("!I", data, cursor + 4)[0]
                        break
                    cursor += (size + 3) & ~3
            at += (length + 3) & ~3

    def accept_up_to(self, packet_id):
        verdict = attribute(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id))
        self.send(NFQNL_MSG_VERDICT_BATCH, NLM_F_REQUEST, [verdict])


def main():
    number, delay = int(sys.argv[1]), float(sys.argv[2]) / 1000
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    queue = Queue(number)
    queue.bind()
    print("ready", flush=True)
    held = collections.deque()  # (due, packet id), in arrival order
    while True:
        timeout = max(0.0, held[0][0] - time.monotonic()) if held else None
        readable, _, _ = select.select([queue.sock], [], [], timeout)
        if readable:
            due = time.monotonic() + delay
            held.extend((due, packet_id) for packet_id in queue.packet_ids())
        now = time.monotonic()
        last = None
        while held and held[0][0] <= now:
            last = held.popleft()[1]
        if last is not None:
            queue.accept_up_to(last)


if __name__ == "__main__":
    main()
