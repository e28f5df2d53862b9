# The portal in one image: the web app (`gunicorn app:app`, the default command) and the outbox
# worker (`flask --app app outbox deliver --loop`), as compose.yaml runs them.
# It was written on a machine with no Docker engine and has not been built there: see
# docs/operations.md (Containers) for what was checked instead.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# The app runs as this user, never as root; it owns nothing but the instance folder.
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin portal

# Share cards are drawn in DejaVu Sans (portal/publish/cards.py; Pillow's own font has no
# accents).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Requirements in a layer of their own: a change of code reuses it. Every requirement has a
# wheel for CPython 3.11 on Linux, so no compiler is needed.
COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /opt/venv \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

WORKDIR /app
COPY app.py gunicorn.conf.py ./
COPY portal/ portal/
COPY templates/ templates/
COPY static/ static/
COPY migrations/ migrations/
COPY deploy/healthcheck.py deploy/healthcheck.py
# The code stays root's (read-only to the app); instance/ (the SQLite file, a generated secret
# key, .eml files, imports waiting) is the app's, and a volume in compose.yaml.
RUN mkdir instance && chown portal:portal instance

USER portal
ENV GUNICORN_BIND=0.0.0.0:8000 \
    GUNICORN_CONTROL_SOCKET=/tmp/gunicorn.ctl
EXPOSE 8000
VOLUME ["/app/instance"]

# /healthz answers 200 while this instance can serve (its database answers).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]

# gunicorn is PID 1: `docker kill --signal HUP` reloads it, TERM stops it gracefully.
CMD ["gunicorn", "app:app"]
