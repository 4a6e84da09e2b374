#!/usr/bin/env bash
# A Docker-compatible engine for docker/Dockerfile and the compose files, on a machine with Docker (a
# laptop) and on one without a Docker daemon or an image registry (the CI machines: podman stands in).
#
#   eval "$(docker/engine.sh start)"   an engine answering the Docker API; prints what to export
#   docker/engine.sh images            the images the compose files name, pulled or built here as stand-ins
#   docker/engine.sh build             the broker image strata:local, from docker/Dockerfile unchanged
#   docker/engine.sh stop              stops the podman service `start` began (nothing when Docker was there)
#
# With Docker running, `start` prints nothing to change and `images` pulls what the registry serves.
# Without it, `start` installs Debian's podman and docker-compose, caps podman's default ulimits at this
# machine's (runc refuses higher ones: "error setting rlimit"), serves the Docker API on $ENGINE_SOCKET
# with `podman system service`, and, because there is no systemd to run health checks, runs every
# running container's health check every $HEALTH_TICK seconds (so `condition: service_healthy` and
# `docker inspect` health work as under Docker). `images` builds, where the registry cannot be reached:
#
#   eclipse-temurin:17-jre          Debian bookworm (debootstrap) + openjdk-17-jre-headless + curl
#   maven:3.9-eclipse-temurin-17    Debian bookworm + openjdk-17-jdk-headless + Debian's maven
#   strata-standin/s3proxy:latest   S3Proxy (the pom's s3proxy.version) in place of minio/minio and minio/mc
#   strata-standin/prometheus:latest  Debian's prometheus in place of prom/prometheus
#   strata-standin/postgres:latest  Debian's postgresql (15) in place of postgres:16
#
# Each is built once and kept in the engine's image store; docker/README.md says more.
set -euo pipefail
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$SELF")/.."

STATE_DIR=${STRATA_ENGINE_DIR:-/run/strata-engine}
ENGINE_SOCKET=${STRATA_ENGINE_SOCKET:-$STATE_DIR/podman.sock}
HEALTH_TICK=${STRATA_HEALTH_TICK:-2}
STANDINS=docker/standins
BASE_IMAGE=strata-standin/debian:bookworm

log() { echo "engine: $*" >&2; }
die() { echo "engine: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# True when a Docker API answers (DOCKER_HOST or the default socket) and can run containers.
engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

apt_install() {
  as_root apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "$@" >&2
}

# The lower of the machine's hard limit and the wanted value: podman's defaults must not exceed the
# limits of the process that starts containers.
capped() { local hard=$1 want=$2; if [ "$hard" = unlimited ] || [ "$hard" -ge "$want" ]; then echo "$want"; else echo "$hard"; fi; }

configure_podman() {
  local conf=/etc/containers/containers.conf.d/strata-ulimits.conf
  local nofile nproc
  nofile=$(capped "$(ulimit -Hn)" 20000)
  nproc=$(capped "$(ulimit -Hu)" 4096)
  as_root mkdir -p "$(dirname "$conf")"
  printf '# Written by strata docker/engine.sh: default ulimits no higher than this machine allows.\n[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' \
    "$nofile" "$nofile" "$nproc" "$nproc" | as_root tee "$conf" >/dev/null
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  if [ -z "${DOCKER_HOST:-}" ] && engine_answers; then
    log "a Docker engine answers on the default socket"
    return
  fi
  if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "unix://$ENGINE_SOCKET" ] && engine_answers; then
    log "a Docker engine answers at DOCKER_HOST=$DOCKER_HOST"
    echo "export DOCKER_HOST=$DOCKER_HOST"
    return
  fi
  local missing=()
  # iptables: netavark publishes ports with it, and podman only suggests it.
  command -v podman >/dev/null 2>&1 || missing+=(podman netavark aardvark-dns runc conmon iptables)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v docker >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
  configure_podman
  mkdir -p "$STATE_DIR"
  if ! running "$STATE_DIR/service.pid"; then
    rm -f "$ENGINE_SOCKET"
    # BUILDAH_FORMAT=docker keeps the Dockerfile's HEALTHCHECK in the images podman builds.
    BUILDAH_FORMAT=docker setsid podman system service --time=0 "unix://$ENGINE_SOCKET" \
      >"$STATE_DIR/service.log" 2>&1 </dev/null &
    echo $! >"$STATE_DIR/service.pid"
  fi
  local tries=0
  until DOCKER_HOST="unix://$ENGINE_SOCKET" engine_answers; do
    tries=$((tries + 1))
    [ $tries -lt 100 ] || die "podman's Docker API did not answer on $ENGINE_SOCKET in 20 s (see $STATE_DIR/service.log)"
    sleep 0.2
  done
  if ! running "$STATE_DIR/health.pid"; then
    setsid "$SELF" health-ticker >"$STATE_DIR/health.log" 2>&1 </dev/null &
    echo $! >"$STATE_DIR/health.pid"
  fi
  log "podman $(podman version --format '{{.Version}}') serves the Docker API on $ENGINE_SOCKET"
  echo "export DOCKER_HOST=unix://$ENGINE_SOCKET DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0"
}

# Runs the health check of every running container that has one, every HEALTH_TICK seconds: what
# Docker's daemon (or podman's systemd timers) would do. Runs until `stop`.
health_ticker() {
  while sleep "$HEALTH_TICK"; do
    for id in $(podman ps -q --filter status=running 2>/dev/null); do
      if [ -n "$(podman inspect --format '{{if .Config.Healthcheck}}yes{{end}}' "$id" 2>/dev/null)" ]; then
        podman healthcheck run "$id" >/dev/null 2>&1 || true
      fi
    done
  done
}

stop() {
  for name in health service; do
    if running "$STATE_DIR/$name.pid"; then
      kill "$(cat "$STATE_DIR/$name.pid")" 2>/dev/null || true
    fi
    rm -f "$STATE_DIR/$name.pid"
  done
}

image_present() { docker image inspect "$1" >/dev/null 2>&1; }

# Pulls $1 if the registry serves it; false when it cannot be reached. After one failed pull, no other is
# tried in this run (a registry that drops packets would otherwise cost a timeout per image).
REGISTRY=unknown
pulled() {
  image_present "$1" && return 0
  [ "$REGISTRY" = unreachable ] && return 1
  if timeout 60 docker pull -q "$1" >/dev/null 2>&1; then REGISTRY=reachable; return 0; fi
  REGISTRY=unreachable
  log "cannot pull $1: building a stand-in where there is one"
  return 1
}

# Debian bookworm from Debian's mirror, with this machine's apt settings and certificate authorities
# (a machine behind a proxy that re-signs TLS needs them inside the images too).
build_base_image() {
  image_present "$BASE_IMAGE" && return
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  local root
  root=$(mktemp -d /var/tmp/strata-debian.XXXXXX)
  log "debootstrap bookworm into $root (about a minute)"
  as_root debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$STATE_DIR/debootstrap.log" 2>&1 \
    || die "debootstrap failed (see $STATE_DIR/debootstrap.log)"
  for f in /etc/apt/apt.conf.d/*; do
    if grep -q 'Acquire::' "$f" 2>/dev/null; then as_root cp "$f" "$root/etc/apt/apt.conf.d/"; fi
  done
  as_root mkdir -p "$root/usr/local/share/ca-certificates"
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    as_root cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  fi
  as_root chroot "$root" sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ca-certificates && update-ca-certificates && apt-get clean && rm -rf /var/lib/apt/lists/*' \
    >>"$STATE_DIR/debootstrap.log" 2>&1 || die "installing ca-certificates in the base image failed (see $STATE_DIR/debootstrap.log)"
  as_root tar -C "$root" -c . | docker import - "$BASE_IMAGE" >/dev/null
  as_root rm -rf "$root"
}

# Builds docker/standins/$2.Dockerfile as $1 (host network: apt and Maven reach their mirrors as this
# machine does). The context holds this machine's Java trust store and the pom's s3proxy version.
build_standin() {
  local tag=$1 name=$2 context
  context=$(mktemp -d)
  cp "$STANDINS/$name.Dockerfile" "$context/Dockerfile"
  if [ -f "$STANDINS/$name.sh" ]; then cp "$STANDINS/$name.sh" "$context/"; fi
  if [ -f /etc/ssl/certs/java/cacerts ]; then cp /etc/ssl/certs/java/cacerts "$context/cacerts"; else touch "$context/cacerts"; fi
  if [ "$name" = s3proxy ]; then fetch_s3proxy "$context"; fi
  log "building stand-in $tag"
  docker build --network host -q -t "$tag" "$context" >/dev/null || die "building the stand-in $tag failed"
  rm -rf "$context"
}

# S3Proxy's runnable jar at the version the build pins (pom.xml: s3proxy.version).
fetch_s3proxy() {
  local version
  version=$(sed -n 's:.*<s3proxy.version>\(.*\)</s3proxy.version>.*:\1:p' pom.xml)
  [ -n "$version" ] || die "pom.xml names no s3proxy.version"
  mvn -B -q -N dependency:copy "-Dartifact=org.gaul:s3proxy:$version:jar:jar-with-dependencies" \
    "-DoutputDirectory=$1" -Dmdep.stripVersion=true -Dmdep.stripClassifier=true >&2
  [ -f "$1/s3proxy.jar" ] || die "Maven did not copy org.gaul:s3proxy:$version"
}

# The image $1 pulled, or else the stand-in $2 built from docker/standins/$3.Dockerfile on the Debian base.
standin_unless_pulled() {
  pulled "$1" && return
  image_present "$2" && return
  build_base_image
  build_standin "$2" "$3"
}

images() {
  engine_answers || die "no Docker engine answers; run: eval \"\$(docker/engine.sh start)\""
  mkdir -p "$STATE_DIR"
  local standin_base=false
  for image in eclipse-temurin:17-jre maven:3.9-eclipse-temurin-17; do
    pulled "$image" && continue
    if [ "$standin_base" = false ]; then build_base_image; standin_base=true; fi
    case $image in
      eclipse-temurin:*) build_standin "$image" temurin-jre ;;
      maven:*) build_standin "$image" maven ;;
    esac
  done
  if ! pulled minio/minio:latest || ! pulled minio/mc:latest; then
    image_present strata-standin/s3proxy:latest || build_standin strata-standin/s3proxy:latest s3proxy
  fi
  standin_unless_pulled prom/prometheus:latest strata-standin/prometheus:latest prometheus
  standin_unless_pulled postgres:16 strata-standin/postgres:latest postgres
}

build() {
  engine_answers || die "no Docker engine answers; run: eval \"\$(docker/engine.sh start)\""
  docker build --network host -f docker/Dockerfile -t strata:local .
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  images) images ;;
  build) build ;;
  health-ticker) health_ticker ;;
  *) echo "usage: $0 start|images|build|stop" >&2; exit 2 ;;
esac
