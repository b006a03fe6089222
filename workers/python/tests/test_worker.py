import asyncio
import base64
import json
import os
import struct
import tempfile
import unittest

from berth_worker import ConfigError, Failure, Request, Response, Worker
from berth_worker.worker import encode_frame, reply_body, settings

ENV = {"BERTH_BRIDGE_TOKEN": "a-token-of-16-chars"}


class FramesTest(unittest.TestCase):
    def test_a_frame_is_its_length_then_compact_json(self):
        frame = encode_frame({"type": "ping"})
        self.assertEqual(frame, struct.pack(">I", 15) + b'{"type":"ping"}')

    def test_utf8_is_counted_in_bytes(self):
        frame = encode_frame({"body": "é"})
        (length,) = struct.unpack(">I", frame[:4])
        self.assertEqual(length, len(frame) - 4)
        self.assertEqual(json.loads(frame[4:]), {"body": "é"})


class ReplyBodyTest(unittest.TestCase):
    def test_text(self):
        self.assertEqual(reply_body("hi", "w"),
                         {"status": 200, "servedBy": "w", "contentType": "text/plain; charset=utf-8", "body": "hi"})

    def test_bytes_go_as_base64(self):
        body = reply_body(b"\xff\x00", "w")
        self.assertEqual(body["contentType"], "application/octet-stream")
        self.assertEqual(base64.b64decode(body["bodyBase64"]), b"\xff\x00")
        self.assertNotIn("body", body)

    def test_dict_is_json(self):
        body = reply_body({"a": 1}, "w")
        self.assertEqual((body["contentType"], json.loads(body["body"])), ("application/json", {"a": 1}))

    def test_response_keeps_status_and_type(self):
        body = reply_body(Response(201, "made", "text/x-made"), "w")
        self.assertEqual((body["status"], body["contentType"], body["body"]), (201, "text/x-made", "made"))


class SettingsTest(unittest.TestCase):
    def test_defaults(self):
        self.assertEqual(settings(ENV), ("127.0.0.1", 7000, "a-token-of-16-chars"))

    def test_token_from_a_file(self):
        with tempfile.NamedTemporaryFile("w", delete=False) as token_file:
            token_file.write("from-a-file-0123\n")
        self.addCleanup(os.unlink, token_file.name)
        self.assertEqual(settings({"BERTH_BRIDGE_TOKEN_FILE": token_file.name})[2], "from-a-file-0123")

    def test_each_bad_setting_is_named(self):
        cases = {"BERTH_BRIDGE_TOKEN": {},
                 "BERTH_BRIDGE_TOKEN_FILE": {"BERTH_BRIDGE_TOKEN_FILE": "/nonexistent/token"},
                 "BERTH_BRIDGE": dict(ENV, BERTH_BRIDGE="no-port")}
        for name, environ in cases.items():
            with self.subTest(name), self.assertRaises(ConfigError) as raised:
                settings(environ)
            self.assertTrue(str(raised.exception).startswith(name), raised.exception)


class HandlersTest(unittest.TestCase):
    def setUp(self):
        self.worker = Worker("python", name="w", environ=ENV)

    def reply(self, path):
        return asyncio.run(self.worker.reply_to(Request("GET", path)))

    def test_the_longest_prefix_wins_segment_by_segment(self):
        self.worker.handle("/")(lambda request: "root")
        self.worker.handle("/zoo")(lambda request: "zoo")
        self.worker.handle("/zoo/cats")(lambda request: "cats")
        answers = {path: self.reply(path)["body"]["body"]
                   for path in ("/zoo", "/zoo/", "/zoo/cats/tom", "/zookeeper", "/zoo/dogs", "/")}
        self.assertEqual(answers, {"/zoo": "zoo", "/zoo/": "zoo", "/zoo/cats/tom": "cats", "/zookeeper": "root",
                                   "/zoo/dogs": "zoo", "/": "root"})

    def test_no_handler_is_a_404(self):
        self.worker.handle("/zoo")(lambda request: "zoo")
        body = self.reply("/park")["body"]
        self.assertEqual((body["status"], json.loads(body["body"])), (404, {"error": "no handler for /park"}))

    def test_async_handlers_are_awaited(self):
        async def slow(request):
            await asyncio.sleep(0.01)
            return "slow " + request.method
        self.worker.handle("/slow")(slow)
        self.assertEqual(self.reply("/slow")["body"]["body"], "slow GET")

    def test_a_failure_is_its_code_and_message(self):
        def fail(request):
            raise Failure(418, "short and stout")
        self.worker.handle("/tea")(fail)
        self.assertEqual(self.reply("/tea"), {"failureCode": 418, "message": "short and stout"})

    def test_any_other_exception_is_a_500_without_details(self):
        self.worker.handle("/bug")(lambda request: 1 / 0)
        self.assertEqual(self.reply("/bug"), {"failureCode": 500, "message": "the worker failed"})

    def test_a_prefix_must_start_with_a_slash(self):
        with self.assertRaises(ValueError):
            self.worker.handle("zoo")


if __name__ == "__main__":
    unittest.main()
