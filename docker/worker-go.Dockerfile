# The Go worker package's demo worker (workers/go): a static binary on an empty image. Build from the repository root:
#   docker build -f docker/worker-go.Dockerfile -t berth-worker-go .
# Without a registry, build the Go toolchain's base first (docker/build-base-image.sh go) and pass it:
#   docker build -f docker/worker-go.Dockerfile --build-arg BASE_IMAGE=berth-base/golang:bookworm -t berth-worker-go .
ARG BASE_IMAGE=golang:1.19-bookworm
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY workers/go/ ./
# No module to fetch: the worker uses the standard library only.
RUN CGO_ENABLED=0 GOPROXY=off GOFLAGS=-mod=mod go build -trimpath -ldflags="-s -w" -o /out/berth-worker ./cmd/berth-worker

FROM scratch
COPY --from=build /out/berth-worker /berth-worker
USER 10002:10002
# The bridge of this host's berth node, and the token file a secret or compose's bridge-token service provides.
ENV BERTH_BRIDGE=worker-bridge:7000 \
    BERTH_BRIDGE_TOKEN_FILE=/var/lib/berth-bridge/token \
    BERTH_ADDRESS=go
STOPSIGNAL SIGTERM
ENTRYPOINT ["/berth-worker"]
