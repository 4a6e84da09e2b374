# Stand-in for postgres:16 where no image registry can be reached (docker/engine.sh builds it): Debian's
# postgresql package (PostgreSQL 15 on bookworm) started the way the official image starts it. It honours
# POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required on first start) and POSTGRES_DB (default: the
# user); data in the volume /var/lib/postgresql/data (PGDATA); port 5432, password (SCRAM) authentication over
# TCP; runs as the postgres user; pg_isready and psql on the PATH for health checks.
FROM strata-standin/debian:bookworm
# No default cluster from the package's postinst: the entrypoint creates one in PGDATA on first start.
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql-common \
    && sed -ri 's/#?\s*create_main_cluster\s*=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql \
    && apt-get clean && rm -rf /var/lib/apt/lists/* \
    && ln -s "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)" /usr/local/lib/postgresql-bin \
    && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
    && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
    && chmod 700 /var/lib/postgresql/data && chmod 2775 /var/run/postgresql
COPY postgres.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 755 /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/local/lib/postgresql-bin:$PATH \
    PGDATA=/var/lib/postgresql/data \
    LANG=C.UTF-8
USER postgres
VOLUME /var/lib/postgresql/data
EXPOSE 5432
# As the official image: SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
