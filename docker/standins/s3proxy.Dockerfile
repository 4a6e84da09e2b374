# Stand-in for minio/minio and minio/mc where no image registry can be reached (docker/engine.sh builds it):
# S3Proxy (the version the build pins) with a filesystem store under /data and MinIO's credential
# variables (MINIO_ROOT_USER / MINIO_ROOT_PASSWORD), S3 API on port 9000; curl creates buckets with a
# signed request (docker-compose.standins.yml).
FROM eclipse-temurin:17-jre
COPY s3proxy.jar /opt/s3proxy/s3proxy.jar
COPY s3proxy.sh /usr/local/bin/s3proxy
RUN chmod 755 /usr/local/bin/s3proxy && mkdir -p /data
ENV JAVA_OPTS="-Xmx256m"
EXPOSE 9000
VOLUME /data
CMD ["s3proxy"]
