#!/bin/sh
# Builds the broker jar: the Dockerfile's build stage runs this script (DockerfileTest checks that it does),
# and CI builds that image (deploy module, DockerComposeDeploymentTest).
#
#   docker/build-broker.sh dependencies   download what the build needs (the image's cached layer)
#   docker/build-broker.sh package        build $JAR, tests skipped (CI runs them with `mvn -B verify`)
#
# -DskipTests still compiles the tests: broker-vertx needs tiering's test-jar.
set -eu
cd "$(dirname "$0")/.."

JAR=broker-vertx/target/strata-broker.jar

case "${1:-package}" in
  dependencies)
    mvn -B -q -pl broker-vertx -am dependency:go-offline
    ;;
  package)
    mvn -B -q -pl broker-vertx -am -DskipTests package
    if [ ! -f "$JAR" ]; then
      echo "build-broker: $JAR was not built" >&2
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 dependencies|package" >&2
    exit 2
    ;;
esac
