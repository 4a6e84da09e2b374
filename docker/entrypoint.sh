#!/bin/sh
# The image's entrypoint, installed as /usr/local/bin/strata: `strata serve` (the default command) runs the
# broker, `strata inspect list|verify` reads the bucket. JAVA_OPTS goes to the JVM, split on spaces.
# exec replaces this shell, so java is PID 1 and receives `docker stop`'s SIGTERM itself: the broker's
# shutdown hook closes it cleanly (segments fsynced, clean-shutdown marker written).
set -eu
set -f
# shellcheck disable=SC2086 # JAVA_OPTS holds several options
exec java ${JAVA_OPTS:-} -jar /opt/strata/strata-broker.jar "$@"
