#!/usr/bin/env python3
"""A berth worker in Python, standard library only: it serves one event-bus address through a berth node's TCP
event-bus bridge (docs/protocol.md, "Workers over the TCP bridge").

    BERTH_BRIDGE_TOKEN=... python3 berth_worker.py

Environment: BERTH_BRIDGE (host:port, default 127.0.0.1:7000), BERTH_BRIDGE_TOKEN or BERTH_BRIDGE_TOKEN_FILE (a file
holding it, such as a Docker secret), BERTH_ADDRESS (default python), BERTH_WORKER_NAME (default <hostname>-py<pid>).
Replace handle() with your own logic.
"""
import asyncio
import base64
import json
import os
import signal
import socket
import struct
import sys


class Failure(Exception):
    """Fails the request: the client gets HTTP status `code` and `message` as the error."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


async def handle(request, name):
    """One HTTP request (method, path, query, headers, body as bytes) -> (status, content type, body as str or bytes).

    The demo: /<x>/echo returns the body, /<x>/headers the headers, /<x>/fail/<code> fails, /<x>/slow/<ms> waits.
    """
    segments = request["path"].split("/")
    action = segments[2] if len(segments) > 2 else ""
    if action == "echo":
        return 200, request["headers"].get("content-type", ["application/octet-stream"])[0], request["body"]
    if action == "headers":
        return 200, "application/json", json.dumps(request["headers"])
    if action == "fail" and len(segments) > 3 and segments[3].isdigit():
        raise Failure(int(segments[3]), "failed on purpose by " + name)
    if action == "slow" and len(segments) > 3 and segments[3].isdigit():
        await asyncio.sleep(int(segments[3]) / 1000)
    return 200, "text/plain; charset=utf-8", "Hello from Python worker %s: %s %s" % (
        name, request["method"], request["path"])


class Worker:
    PING_SECONDS = 10
    BACKOFF_SECONDS = (0.1, 5.0)  # first and longest wait between reconnections

    def __init__(self, host, port, token, address, name):
        self.host, self.port, self.token, self.address, self.name = host, port, token, address, name
        self.writer = None
        self.stopping = False
        self.in_flight = set()
        self.unregistered = asyncio.Event()

    def send(self, frame):
        """A frame: 4-byte big-endian length, then the UTF-8 JSON object."""
        data = json.dumps(frame).encode()
        self.writer.write(struct.pack(">I", len(data)) + data)

    async def run(self):
        backoff = self.BACKOFF_SECONDS[0]
        while not self.stopping:
            try:
                reader, self.writer = await asyncio.open_connection(self.host, self.port)
                self.send({"type": "register", "address": self.address, "headers": {"token": self.token}})
                pinger = asyncio.create_task(self.ping())
                try:
                    async for frame in self.frames(reader):
                        if frame["type"] == "registered":
                            print("%s serves '%s' through %s:%d" % (self.name, self.address, self.host, self.port),
                                  flush=True)
                            backoff = self.BACKOFF_SECONDS[0]
                        elif frame["type"] == "message" and not self.stopping:
                            self.track(asyncio.create_task(self.answer(frame)))
                        elif frame["type"] == "unregistered":
                            self.unregistered.set()
                        elif frame["type"] == "err":
                            print("bridge error: %s: %s" % (frame["message"], frame.get("detail", "")), flush=True)
                finally:
                    pinger.cancel()
            except (OSError, asyncio.IncompleteReadError) as e:
                if not self.stopping:
                    print("bridge %s:%d unreachable (%s): again in %.1f s" % (self.host, self.port, e, backoff),
                          flush=True)
            if not self.stopping:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.BACKOFF_SECONDS[1])

    @staticmethod
    async def frames(reader):
        while True:
            (length,) = struct.unpack(">I", await reader.readexactly(4))
            yield json.loads(await reader.readexactly(length))

    async def ping(self):
        while True:
            await asyncio.sleep(self.PING_SECONDS)
            self.send({"type": "ping"})

    def track(self, task):
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def answer(self, frame):
        request = frame["body"]
        request["body"] = base64.b64decode(request.get("bodyBase64", ""))
        reply = {"type": "send", "address": frame["replyAddress"]}
        try:
            status, content_type, body = await handle(request, self.name)
            reply["body"] = {"status": status, "contentType": content_type, "servedBy": self.name}
            if isinstance(body, bytes):
                reply["body"]["bodyBase64"] = base64.b64encode(body).decode()
            else:
                reply["body"]["body"] = body
        except Failure as failure:
            reply.update(failureCode=failure.code, message=str(failure))
        except Exception as e:  # the client gets a 500 without the details
            print("failed on %s %s: %r" % (request["method"], request["path"], e), file=sys.stderr, flush=True)
            reply.update(failureCode=500, message="the worker failed")
        self.send(reply)

    async def stop(self, main):
        """SIGTERM or SIGINT: take no new requests, finish those held, then leave."""
        self.stopping = True
        if self.writer is not None and not self.writer.is_closing():
            self.send({"type": "unregister", "address": self.address})
            try:
                await asyncio.wait_for(self.unregistered.wait(), 5)
            except asyncio.TimeoutError:
                pass
            if self.in_flight:
                await asyncio.wait(self.in_flight, timeout=30)
            await self.writer.drain()
            self.writer.close()
        print("%s stopped" % self.name, flush=True)
        main.cancel()


def main():
    token = os.environ.get("BERTH_BRIDGE_TOKEN")
    if not token and os.environ.get("BERTH_BRIDGE_TOKEN_FILE"):
        with open(os.environ["BERTH_BRIDGE_TOKEN_FILE"]) as token_file:
            token = token_file.read().strip()
    if not token:
        sys.exit("BERTH_BRIDGE_TOKEN (or BERTH_BRIDGE_TOKEN_FILE) is not set: the bridge's token, as its node has it")
    host, _, port = os.environ.get("BERTH_BRIDGE", "127.0.0.1:7000").rpartition(":")
    worker = Worker(host, int(port), token, os.environ.get("BERTH_ADDRESS", "python"),
                    os.environ.get("BERTH_WORKER_NAME") or "%s-py%d" % (socket.gethostname(), os.getpid()))

    async def serve():
        main_task = asyncio.current_task()
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(
                stop_signal, lambda: asyncio.ensure_future(worker.stop(main_task)))
        try:
            await worker.run()
        except asyncio.CancelledError:
            pass

    asyncio.run(serve())


if __name__ == "__main__":
    main()
