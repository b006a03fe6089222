# The Python worker package's demo worker (workers/python), `python3 -m berth_worker`. Build from the repository root:
#   docker build -f docker/worker-python.Dockerfile -t berth-worker-python .
# Without a registry, build the base first (docker/build-base-image.sh python) and pass it:
#   docker build -f docker/worker-python.Dockerfile --build-arg BASE_IMAGE=berth-base/python3:bookworm -t berth-worker-python .
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

ARG WORKER_UID=10002
RUN groupadd --system --gid "${WORKER_UID}" worker \
 && useradd --system --uid "${WORKER_UID}" --gid worker --home-dir /opt/worker --no-create-home --shell /usr/sbin/nologin worker \
 && install -d -o worker -g worker -m 0755 /var/lib/berth-bridge
COPY workers/python/berth_worker /opt/worker/berth_worker

USER worker
# The bridge of this host's berth node, and the token file a secret or compose's bridge-token service provides.
ENV BERTH_BRIDGE=worker-bridge:7000 \
    BERTH_BRIDGE_TOKEN_FILE=/var/lib/berth-bridge/token \
    BERTH_ADDRESS=python \
    PYTHONPATH=/opt/worker \
    PYTHONUNBUFFERED=1
STOPSIGNAL SIGTERM
ENTRYPOINT ["python3", "-m", "berth_worker"]
