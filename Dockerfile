# syntax=docker/dockerfile:1
# PeaRL server image: `docker run -p 8080:8080 IMAGE` serves MCP + REST on :8080.
# Data (the SQLite database by default) lives in /var/lib/pearl: mount a volume
# there, or set PEARL_DATABASE_URL to a PostgreSQL URL for several replicas.
# linux/amd64 only: the pinned regorus wheel is published for x86_64 alone.

# ---- build: source tree -> wheel -> self-contained venv in /opt/pearl -------
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
COPY . .
RUN python -m pip wheel --no-deps --wheel-dir /dist . \
 && python -m venv /opt/pearl \
 && /opt/pearl/bin/pip install /dist/*.whl \
 && /opt/pearl/bin/pip install --require-hashes --no-deps -r requirements/regorus.txt \
 && /opt/pearl/bin/pearl --help >/dev/null

# ---- runtime: the venv, a non-root user, nothing else ------------------------
FROM python:3.11-slim AS runtime

LABEL org.opencontainers.image.title="PeaRL" \
      org.opencontainers.image.description="Policy-enforced autonomous Risk Layer for AI coding agents" \
      org.opencontainers.image.licenses="Apache-2.0"

ENV PATH=/opt/pearl/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PEARL_DATA_DIR=/var/lib/pearl

RUN groupadd --system --gid 10001 pearl \
 && useradd --system --uid 10001 --gid pearl --home-dir /var/lib/pearl \
      --create-home --shell /usr/sbin/nologin pearl

COPY --from=build /opt/pearl /opt/pearl

# Numeric, so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
USER 10001:10001
WORKDIR /var/lib/pearl

# PEARL_API_KEY_PEPPER must be provided at run time (a secret, >= 32 chars);
# agents get keys with `docker exec … pearl agents create NAME`.
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status != 200)"]
ENTRYPOINT ["pearl"]
CMD ["serve", "--migrate", "--host", "0.0.0.0", "--allow-remote", "--port", "8080"]
