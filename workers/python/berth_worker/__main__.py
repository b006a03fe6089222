"""The demo worker, `python -m berth_worker` (or `berth-worker`): serves BERTH_ADDRESS (default python).

/<x>/echo returns the body, /<x>/headers the headers, /<x>/fail/<code> fails, /<x>/slow/<ms> waits; anything else
says hello.
"""
import asyncio
import json
import os
import sys

from .worker import ConfigError, Failure, Response, Worker


def demo(worker):
    @worker.handle("/")
    async def answer(request):
        segments = request.path.split("/")
        action = segments[2] if len(segments) > 2 else ""
        argument = segments[3] if len(segments) > 3 else ""
        if action == "echo":
            return Response(200, request.body, request.headers.get("content-type", ["application/octet-stream"])[0])
        if action == "headers":
            return request.headers
        if action == "fail" and argument.isdigit():
            raise Failure(int(argument), "failed on purpose by " + worker.name)
        if action == "slow" and argument.isdigit():
            await asyncio.sleep(int(argument) / 1000)
        return "Hello from Python worker %s: %s %s" % (worker.name, request.method, request.path)
    return worker


def main():
    try:
        worker = Worker(os.environ.get("BERTH_ADDRESS", "python"))
    except ConfigError as e:
        print("berth-worker: %s" % e, file=sys.stderr)
        sys.exit(78)
    demo(worker).run()


if __name__ == "__main__":
    main()
