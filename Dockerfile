# Relay as a container image: a thin copy of the distribution that test/e2e/dist.sh tests
# (relay-VERSION.tar.gz brings its own Java runtime, so the image needs no JDK). Build the
# distribution first, then the image, from the repository's top directory:
#   ./mvnw -B package          # relay-dist/target/relay-VERSION.tar.gz (-DskipTests to skip tests)
#   docker build -t relay .
# Run it (docs/install.md has the rest: your own configuration, secrets, ports):
#   docker run -d --name relay -e RELAY_CLIENT_NETWORK=192.168.10.0/24 \
#     -p 25:25 -p 587:587 -p 465:465 -v relay-data:/var/lib/relay relay
# Not built or run on the machine this was written on (no container engine there); dist.sh checks
# that every path below exists in the tarball and that the HEALTHCHECK command works.

FROM debian:trixie-slim AS unpack
# .dockerignore lets only the tarball into the build context; there must be exactly one.
COPY relay-dist/target/relay-*.tar.gz /tmp/
RUN set -- /tmp/relay-*.tar.gz \
 && if [ "$#" -ne 1 ]; then echo "expected one relay-*.tar.gz in relay-dist/target, found: $*" >&2; exit 1; fi \
 && mkdir /opt/relay \
 && tar -xzf "$1" -C /opt/relay --strip-components=1 --no-same-owner

FROM debian:trixie-slim
# A system account without a shell; the data directory is the only place it can write.
RUN groupadd --system relay \
 && useradd --system --gid relay --home-dir /var/lib/relay --no-create-home --shell /usr/sbin/nologin relay \
 && install -d -o relay -g relay -m 0750 /var/lib/relay
COPY --from=unpack /opt/relay /opt/relay
# The container configuration: all interfaces, mail only from RELAY_CLIENT_NETWORK (it does not
# start without one). Mount your own file or directory over /etc/relay to replace it.
COPY --from=unpack /opt/relay/conf/container.conf /etc/relay/relay.conf
# Spool, logs, drop folder, generated certificate and the class-data-sharing archive.
ENV RELAY_HOME=/var/lib/relay
VOLUME ["/var/lib/relay"]
WORKDIR /var/lib/relay
USER relay
# SMTP (STARTTLS offered), submission (STARTTLS required), implicit TLS, admin HTTP (on the
# container's loopback unless a mounted configuration binds it with tokens). Ports below 1024 need no capability:
# Docker lets containers bind them (net.ipv4.ip_unprivileged_port_start=0); elsewhere set
# RELAY_SMTP_PORT, RELAY_SUBMISSION_PORT and RELAY_SMTPS_PORT above 1023.
EXPOSE 25 587 465 9025
# /healthz through bash's /dev/tcp: no curl in the image, no JVM started every 30 s.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["/opt/relay/bin/health"]
# The JVM is process 1 and stops cleanly on SIGTERM; a 250 means the message is on disk, so a stop
# loses nothing. Give sessions in progress time: docker stop -t 60.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/relay/bin/relay"]
CMD ["--config", "/etc/relay/relay.conf"]
