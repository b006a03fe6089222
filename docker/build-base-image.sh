#!/usr/bin/env bash
# Builds a base image from Debian packages, for machines that cannot pull the public ones (no registry, air-gapped):
# Debian bookworm minbase plus one runtime.
#   java    berth-base/java17-jre:bookworm  openjdk-17-jre-headless, laid out like the Temurin images
#           (JAVA_HOME=/opt/java/openjdk), so docker/Dockerfile works unchanged on it or on eclipse-temurin:17-jre.
#   python  berth-base/python3:bookworm     python3, for docker/worker-python.Dockerfile instead of python:3.11-slim.
#   node    berth-base/nodejs:bookworm      nodejs, for docker/worker-node.Dockerfile instead of node:20-slim.
#   go      berth-base/golang:bookworm      golang-go, to build docker/worker-go.Dockerfile instead of golang:1.19-bookworm.
#
# Usage: docker/build-base-image.sh [java|python|node|go] [tag]     default: java, and the tag above
#   DEBIAN_MIRROR=http://mirror/debian  overrides the mirror read from this machine's apt sources.
#   REBUILD=1                           builds even when the tag exists.
# Needs root, debootstrap and a Docker daemon.
set -euo pipefail
trap 'echo "build-base-image.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

kind=${1:-java}
case "$kind" in
  java)   default_tag=berth-base/java17-jre:bookworm; packages=(openjdk-17-jre-headless) ;;
  python) default_tag=berth-base/python3:bookworm;    packages=(python3) ;;
  node)   default_tag=berth-base/nodejs:bookworm;     packages=(nodejs) ;;
  go)     default_tag=berth-base/golang:bookworm;     packages=(golang-go) ;;
  *) echo "build-base-image.sh: unknown kind '$kind': java, python, node or go" >&2; exit 1 ;;
esac
tag=${2:-$default_tag}
suite=bookworm

if [[ -z "${REBUILD:-}" ]] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag exists (REBUILD=1 to build it again)"
  exit 0
fi
[[ $(id -u) == 0 ]] || { echo "build-base-image.sh: needs root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "build-base-image.sh: debootstrap is missing: apt-get install debootstrap" >&2; exit 1; }

mirror_from_apt_sources() {
  # deb822 sources (URIs: ...) first, then one-line sources (deb URI suite ...); the first Debian archive wins.
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{for (i = 2; i <= NF; i++) print $i}'
    grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print ($2 ~ /^\[/) ? $3 : $2}'
  } | grep -E '/debian/?$' | awk 'NR == 1' || true
}
mirror=${DEBIAN_MIRROR:-$(mirror_from_apt_sources)}
[[ -n "$mirror" ]] || { echo "build-base-image.sh: no Debian mirror in the apt sources: set DEBIAN_MIRROR" >&2; exit 1; }

root=$(mktemp -d /tmp/berth-base.XXXXXX)
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$root" "$root.log"
}
trap cleanup EXIT

start=$SECONDS
echo "== debootstrap $suite from $mirror"
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.log" 2>&1 || { tail -n 20 "$root.log" >&2; exit 1; }

echo "== ${packages[*]}"
mount -t proc proc "$root/proc"
chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${packages[@]}" >"$root.log" 2>&1 \
  || { tail -n 20 "$root.log" >&2; exit 1; }
chroot "$root" apt-get clean
umount "$root/proc"
changes=(--change 'ENV LANG=C.UTF-8')
if [[ $kind == java ]]; then
  arch=$(chroot "$root" dpkg --print-architecture)
  mkdir -p "$root/opt/java"
  ln -s "/usr/lib/jvm/java-17-openjdk-$arch" "$root/opt/java/openjdk"
  changes+=(--change 'ENV JAVA_HOME=/opt/java/openjdk'
    --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
fi
rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*

echo "== docker import $tag"
tar -C "$root" -c . | docker import "${changes[@]}" - "$tag" >/dev/null
size=$(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1 / 1e6}')
echo "base image $tag built in $((SECONDS - start)) s ($size)"
