"""A berth worker: serves one event-bus address through a berth node's TCP event-bus bridge (docs/protocol.md)."""
import asyncio
import base64
import inspect
import json
import os
import signal
import socket
import struct
import sys
from dataclasses import dataclass, field


class Failure(Exception):
    """Raised by a handler, fails the request: the client gets HTTP status `code` and `message` as the error."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass
class Request:
    """One HTTP request, as the gateway forwarded it; headers are lower case, each a list of values."""
    method: str
    path: str
    query: str = ""
    headers: dict = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Response:
    status: int = 200
    body: object = ""
    content_type: str = ""


class ConfigError(Exception):
    """A setting the worker cannot start with; the message names it."""


def encode_frame(frame):
    """A frame: 4-byte big-endian length, then the UTF-8 JSON object."""
    data = json.dumps(frame, separators=(",", ":")).encode()
    return struct.pack(">I", len(data)) + data


def reply_body(result, name):
    """What a handler returned, as the reply's body: str is text, bytes binary, dict or list JSON, or a Response."""
    response = result if isinstance(result, Response) else Response(body=result)
    body, content_type = response.body, response.content_type
    if isinstance(body, (dict, list)):
        body, content_type = json.dumps(body), content_type or "application/json"
    reply = {"status": response.status, "servedBy": name}
    if isinstance(body, (bytes, bytearray)):
        reply.update(contentType=content_type or "application/octet-stream", bodyBase64=base64.b64encode(body).decode())
    else:
        reply.update(contentType=content_type or "text/plain; charset=utf-8", body="" if body is None else str(body))
    return reply


def settings(environ):
    """(host, port, token) from BERTH_BRIDGE and BERTH_BRIDGE_TOKEN or BERTH_BRIDGE_TOKEN_FILE."""
    token = environ.get("BERTH_BRIDGE_TOKEN")
    token_file = environ.get("BERTH_BRIDGE_TOKEN_FILE")
    if not token and token_file:
        try:
            with open(token_file) as opened:
                token = opened.read().strip()
        except OSError as e:
            raise ConfigError("BERTH_BRIDGE_TOKEN_FILE: cannot read %s: %s" % (token_file, e.strerror)) from None
    if not token:
        raise ConfigError("BERTH_BRIDGE_TOKEN (or BERTH_BRIDGE_TOKEN_FILE) is not set: the bridge's token, as its node"
                          " has it")
    bridge = environ.get("BERTH_BRIDGE", "127.0.0.1:7000")
    host, _, port = bridge.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError("BERTH_BRIDGE: %r is not host:port" % bridge)
    return host, int(port), token


class Worker:
    """Serves `address`: each request goes to the handler of the longest path prefix it starts with.

    The bridge, the token and the name come from the environment unless given: BERTH_BRIDGE (host:port, default
    127.0.0.1:7000), BERTH_BRIDGE_TOKEN or BERTH_BRIDGE_TOKEN_FILE, BERTH_WORKER_NAME (default <hostname>-py<pid>).
    """
    PING_SECONDS = 10
    BACKOFF_SECONDS = (0.1, 5.0)  # first and longest wait between reconnections
    STOP_SECONDS = 30  # how long a stop waits for the requests held

    def __init__(self, address, bridge=None, token=None, name=None, environ=os.environ):
        given = dict(environ)
        given.update({key: value for key, value in (("BERTH_BRIDGE", bridge), ("BERTH_BRIDGE_TOKEN", token)) if value})
        self.host, self.port, self.token = settings(given)
        self.address = address
        self.name = name or environ.get("BERTH_WORKER_NAME") or "%s-py%d" % (socket.gethostname(), os.getpid())
        self.handlers = {}
        self.writer = None
        self.stopping = False
        self.in_flight = set()
        self.unregistered = None

    def handle(self, prefix):
        """Decorator: `fn(request)` answers the paths that are `prefix` or start with `prefix` + "/"."""
        if not prefix.startswith("/"):
            raise ValueError("a path prefix starts with /, was %r" % prefix)

        def register(fn):
            self.handlers[prefix.rstrip("/") or "/"] = fn
            return fn
        return register

    def handler_for(self, path):
        """The handler of the longest prefix `path` is or starts with, segment by segment; None when none is."""
        candidate = path
        while True:
            if candidate in self.handlers:
                return self.handlers[candidate]
            if candidate in ("", "/"):
                return self.handlers.get("/")
            candidate = candidate.rsplit("/", 1)[0] or "/"

    async def reply_to(self, request):
        """The reply frame's fields for one request: a body, or a failure code and message."""
        handler = self.handler_for(request.path)
        if handler is None:
            return {"body": reply_body(Response(404, {"error": "no handler for %s" % request.path}), self.name)}
        try:
            result = handler(request) if inspect.iscoroutinefunction(handler) \
                else await asyncio.get_running_loop().run_in_executor(None, handler, request)
            return {"body": reply_body(await result if inspect.isawaitable(result) else result, self.name)}
        except Failure as failure:
            return {"failureCode": failure.code, "message": str(failure)}
        except Exception as e:  # the client gets a 500 without the details
            print("failed on %s %s: %r" % (request.method, request.path, e), file=sys.stderr, flush=True)
            return {"failureCode": 500, "message": "the worker failed"}

    def send(self, frame):
        self.writer.write(encode_frame(frame))

    async def serve(self):
        """Connects, registers and answers until stopped, connecting again with backoff when the bridge goes."""
        self.unregistered = asyncio.Event()
        backoff = self.BACKOFF_SECONDS[0]
        while not self.stopping:
            try:
                reader, self.writer = await asyncio.open_connection(self.host, self.port)
                self.send({"type": "register", "address": self.address,
                           "headers": {"token": self.token, "ack": "true"}})
                pinger = asyncio.create_task(self.ping())
                try:
                    async for frame in self.frames(reader):
                        if frame["type"] == "registered":
                            print("%s serves '%s' through %s:%d" % (self.name, self.address, self.host, self.port),
                                  flush=True)
                            backoff = self.BACKOFF_SECONDS[0]
                        elif frame["type"] == "message":  # while stopping too: given before the unregister
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
        fields = frame["body"]
        request = Request(fields["method"], fields["path"], fields.get("query", ""), fields.get("headers", {}),
                          base64.b64decode(fields.get("bodyBase64", "")))
        reply = {"type": "send", "address": frame["replyAddress"]}
        reply.update(await self.reply_to(request))
        if self.writer is not None and not self.writer.is_closing():
            self.send(reply)

    async def stop(self):
        """Takes no new requests, answers those held (at most STOP_SECONDS), then leaves."""
        self.stopping = True
        if self.writer is not None and not self.writer.is_closing():
            self.send({"type": "unregister", "address": self.address, "headers": {"ack": "true"}})
            try:
                await asyncio.wait_for(self.unregistered.wait(), 5)
            except asyncio.TimeoutError:
                pass
            if self.in_flight:
                await asyncio.wait(self.in_flight, timeout=self.STOP_SECONDS)
            await self.writer.drain()
            self.writer.close()
        print("%s stopped" % self.name, flush=True)

    def run(self):
        """Serves until SIGTERM or SIGINT, then stops gracefully."""
        async def main():
            serving = asyncio.current_task()

            async def stop_then_cancel():
                await self.stop()
                serving.cancel()
            for stop_signal in (signal.SIGTERM, signal.SIGINT):
                asyncio.get_running_loop().add_signal_handler(
                    stop_signal, lambda: asyncio.ensure_future(stop_then_cancel()))
            try:
                await self.serve()
            except asyncio.CancelledError:
                pass
        asyncio.run(main())
