# syntax=docker/dockerfile:1
# One image, two roles: the API (default command: migrate, then serve) and,
# with another command, the training worker. compose.yaml runs both beside
# PostgreSQL and Redis; tests/test_deploy_files.py checks it against this file.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY app ./app
# The default dependencies at the versions CI tested (constraints.txt, scripts/lock),
# the `sample` data source's bokeh-sampledata among them.
RUN pip install --upgrade pip && pip install -c constraints.txt . \
    && python -c "import bokeh_sampledata.stocks"

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    TF_CPP_MIN_LOG_LEVEL=2 VAR_DIR=/data/var MODEL_DIR=/data/models DATA_DIR=/data/market
# LightGBM (the gradient-boosted baseline) needs the GNU OpenMP runtime.
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system app && useradd --system --gid app --home-dir /srv --no-create-home app \
    && mkdir -p /data/var /data/models /data/market && chown -R app:app /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv
COPY --chown=app:app alembic.ini ./
COPY --chown=app:app alembic ./alembic
COPY --chown=app:app app ./app
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
# The worker: docker run IMAGE python -m app.tasks.worker
# --no-proxy-headers: the app reads X-Forwarded-For itself, only from TRUSTED_PROXIES.
CMD ["sh", "-c", "python -m app.migrate && exec uvicorn app.main:app --host 0.0.0.0 --port 8000 --no-proxy-headers"]
