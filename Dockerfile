# smtpbot Slack app. Build:  docker build -t smtpbot .
# Socket Mode:  docker run --env-file .env smtpbot                         (SLACK_APP_TOKEN set)
# HTTP mode:    docker run --env-file .env -p 3000:3000 smtpbot smtpbot serve --http
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000 \
    DATABASE_URL=sqlite:////data/smtpbot.sqlite3

# Runtime dependencies only (no test extras); psycopg for DATABASE_URL=postgresql+psycopg://...
WORKDIR /src
COPY pyproject.toml README.md ./
COPY knowledge ./knowledge
COPY bot ./bot
RUN pip install ".[postgres]" && rm -rf /src

RUN useradd --system --uid 10001 --home-dir /data --create-home smtpbot
USER smtpbot
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000

# HTTP mode answers GET /healthz with 200 once ready (503 while starting or when the database is
# unreachable). Socket Mode (SLACK_APP_TOKEN set, no --http) runs no HTTP server: a refused
# connection then counts as healthy while the process runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.error, urllib.request\ntry:\n    urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)\nexcept urllib.error.HTTPError:\n    sys.exit(1)\nexcept OSError:\n    sys.exit(0 if os.environ.get('SLACK_APP_TOKEN') else 1)"]

CMD ["smtpbot", "serve"]
