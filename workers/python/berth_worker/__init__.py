"""Workers for berth in Python: serve an event-bus address through a berth node's TCP bridge, standard library only.

    from berth_worker import Worker

    worker = Worker("python")

    @worker.handle("/zoo")
    def zoo(request):
        return "Hello from " + request.path

    worker.run()
"""
from .worker import ConfigError, Failure, Request, Response, Worker

__all__ = ["ConfigError", "Failure", "Request", "Response", "Worker"]
