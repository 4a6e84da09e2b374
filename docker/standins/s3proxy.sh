#!/bin/sh
# Entry point of the S3Proxy stand-in for MinIO: MinIO's credential variables, its port, its data directory.
set -eu
conf=/tmp/s3proxy.properties
cat >"$conf" <<PROPERTIES
s3proxy.endpoint=http://0.0.0.0:9000
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=${MINIO_ROOT_USER:-minioadmin}
s3proxy.credential=${MINIO_ROOT_PASSWORD:-minioadmin}
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=/data
PROPERTIES
# shellcheck disable=SC2086 # JAVA_OPTS holds several options
exec java ${JAVA_OPTS:-} -jar /opt/s3proxy/s3proxy.jar --properties "$conf"
