# Customs Feedback Bot: a two-stage image. The first stage builds the wheel and installs it
# with the pinned versions of constraints.txt; the second holds only the virtualenv.
# Build: docker build -t feedback-bot .   Run: see compose.yaml and docs/operations.md.

FROM python:3.12-slim-bookworm AS build
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md LICENSE constraints.txt ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY config ./config
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
    && /opt/venv/bin/pip install --no-cache-dir -c constraints.txt /wheels/*.whl

FROM python:3.12-slim-bookworm
# Debian bookworm's SQLite is 3.40: the bot needs 3.38 or newer (it checks at start).
RUN groupadd --system --gid 10001 feedback \
    && useradd --system --uid 10001 --gid feedback --home-dir /data --shell /usr/sbin/nologin feedback \
    && mkdir -p /data/backups \
    && chown -R feedback:feedback /data
COPY --from=build /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_PATH=/data/feedback.db \
    BACKUP_DIR=/data/backups \
    LOG_FORMAT=json
USER 10001:10001
WORKDIR /data
# The database, its lock file and the backups: keep this volume, back it up.
VOLUME ["/data"]
# Webhook mode listens here (WEBHOOK_LISTEN=0.0.0.0 in a container); polling needs no port.
EXPOSE 8443
# The running bot's /healthz when HEALTH_PORT is set; else the database: sound and writable.
HEALTHCHECK --interval=60s --timeout=15s --start-period=30s --retries=3 \
    CMD ["feedback-bot", "health"]
# Settings come from the environment (compose's env_file); there is no .env in the image.
CMD ["feedback-bot", "run"]
