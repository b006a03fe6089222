# The Node.js worker package's demo worker (workers/node), run by node itself: npx would not pass SIGTERM on. Build from the repository root:
#   docker build -f docker/worker-node.Dockerfile -t berth-worker-node .
# Without a registry, build the base first (docker/build-base-image.sh node) and pass it:
#   docker build -f docker/worker-node.Dockerfile --build-arg BASE_IMAGE=berth-base/nodejs:bookworm -t berth-worker-node .
ARG BASE_IMAGE=node:20-slim
FROM ${BASE_IMAGE}

ARG WORKER_UID=10002
RUN groupadd --system --gid "${WORKER_UID}" worker \
 && useradd --system --uid "${WORKER_UID}" --gid worker --home-dir /opt/worker --no-create-home --shell /usr/sbin/nologin worker \
 && install -d -o worker -g worker -m 0755 /var/lib/berth-bridge
COPY workers/node/package.json /opt/worker/berth-worker/
COPY workers/node/lib /opt/worker/berth-worker/lib
COPY workers/node/bin /opt/worker/berth-worker/bin

USER worker
# The bridge of this host's berth node, and the token file a secret or compose's bridge-token service provides.
ENV BERTH_BRIDGE=worker-bridge:7000 \
    BERTH_BRIDGE_TOKEN_FILE=/var/lib/berth-bridge/token \
    BERTH_ADDRESS=node
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/opt/worker/berth-worker/bin/berth-worker.js"]
