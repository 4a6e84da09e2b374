# Stand-in for eclipse-temurin:17-jre where no image registry can be reached (docker/engine.sh builds it):
# Debian's OpenJDK 17 runtime on Debian bookworm, curl for health checks, this machine's Java trust store.
FROM strata-standin/debian:bookworm
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openjdk-17-jre-headless curl \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY cacerts /tmp/cacerts
RUN if [ -s /tmp/cacerts ]; then cp /tmp/cacerts /etc/ssl/certs/java/cacerts; fi; rm /tmp/cacerts
ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 LANG=C.UTF-8
