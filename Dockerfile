# Dostyq: one image for every deployment (see docs/deploy.md).
# The catalogues are compiled and the knowledge base is built here, so a container
# starts serving at once; it runs as a non-root user and reports its health.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KB_PATH=/app/kb/kb.db \
    DATABASE_PATH=/app/var/dostyq.db \
    HEALTH_HOST=127.0.0.1 \
    HEALTH_PORT=9090 \
    WEBHOOK_HOST=0.0.0.0 \
    WEBHOOK_PORT=8080

RUN groupadd --system dostyq && useradd --system --gid dostyq --home /app dostyq
WORKDIR /app

# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
COPY bot/__init__.py bot/__init__.py
RUN python -m venv /venv && /venv/bin/pip install --quiet .

COPY bot ./bot
COPY data ./data
COPY locales ./locales
# The KB is built into the image (its vectors are in the file: no VECTOR_CACHE copy of them).
RUN /venv/bin/pip install --quiet --no-deps . \
 && /venv/bin/python -c "from bot.i18n import compile_catalogs; compile_catalogs(force=True)" \
 && DATABASE_PATH=/tmp/build.db VECTOR_CACHE= /venv/bin/python -m bot kb build \
 && rm -f /tmp/build.db* \
 && mkdir -p /app/var \
 && chown -R dostyq:dostyq /app/var /app/kb

USER dostyq
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/venv/bin/python", "-m", "bot", "healthcheck"]
CMD ["/venv/bin/python", "-m", "bot", "run"]
