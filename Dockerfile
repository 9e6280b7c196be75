# syntax=docker/dockerfile:1.7
# ImpactChain: one image for every process (`impactchain api | indexer | worker | migrate`).
#
#   docker build -t impactchain .                  # the slim runtime image (default target)
#   docker build --target build -t impactchain:build .  # the toolchain image: node, solc-js,
#                                                   # anvil, ape; compose uses it to run anvil
#                                                   # and `impactchain deploy` on a dev chain
#
# The build stage compiles the contracts offline, as `make install` does: solc-js from npm behind
# toolchain/solc (no compiler download), OpenZeppelin from npm. The runtime stage gets the
# virtualenv, the sources and the compiled artifacts, and no compiler, node or build tools.

ARG PYTHON_VERSION=3.11.7
ARG NODE_VERSION=20.18.1

FROM node:${NODE_VERSION}-bookworm-slim AS node

# ---------------------------------------------------------------------------------------------
FROM python:${PYTHON_VERSION}-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:/app/node_modules/.bin:$PATH \
    APE_DATA_FOLDER=/app/.ape \
    SOLCX_BINARY_PATH=/app/toolchain/solcx \
    TMPDIR=/app/.ape/tmp

# Node and npm from the official image, for solc-js and `npm ci` (Debian's nodejs is older).
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && node --version && npm --version

WORKDIR /app

# Runtime dependencies only (pyproject's [project].dependencies), at requirements.lock's pins:
# the lock also pins the dev tools, which the image does not need.
COPY pyproject.toml requirements.lock ./
RUN python -m venv /opt/venv \
    && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/runtime-requirements.txt \
    && pip install -r /tmp/runtime-requirements.txt -c requirements.lock

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

COPY . .
# --force: FundingRoundFactory embeds FundingRound's creation code (see the Makefile).
RUN pip install --no-deps -e . \
    && mkdir -p "$TMPDIR" deployments \
    && rm -rf contracts/.cache \
    && ape compile --force \
    && impactchain --help > /dev/null

# ---------------------------------------------------------------------------------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime

LABEL org.opencontainers.image.title="impactchain" \
      org.opencontainers.image.description="ImpactChain API, indexer, worker and migrations"

RUN groupadd --system --gid 10001 impactchain \
    && useradd --system --uid 10001 --gid impactchain --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin impactchain

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    APE_DATA_FOLDER=/app/.ape \
    IMPACTCHAIN_API_HOST=0.0.0.0 \
    IMPACTCHAIN_API_PORT=8000 \
    IMPACTCHAIN_DATA_DIR=/tmp/impactchain \
    IMPACTCHAIN_DEPLOYMENTS_DIR=/app/deployments

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# The editable install points the venv at /app: the sources, the ape project (scripts/, contracts/,
# ape-config.yaml, the compiled .build/) and the manifests in deployments/ (one per real chain,
# committed after `impactchain deploy`).
COPY --from=build /app/pyproject.toml /app/ape-config.yaml ./
COPY --from=build /app/impactchain ./impactchain
COPY --from=build /app/indexer ./indexer
COPY --from=build /app/api ./api
COPY --from=build /app/workers ./workers
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/contracts ./contracts
COPY --from=build /app/.build ./.build
COPY --from=build --chown=impactchain:impactchain /app/deployments ./deployments

# Numeric, so Kubernetes can verify runAsNonRoot.
USER 10001:10001

EXPOSE 8000

# The API's dependency-free liveness route; compose overrides this for the indexer and worker.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('IMPACTCHAIN_API_PORT', '8000') + '/health/live', timeout=4)"]

ENTRYPOINT ["impactchain"]
CMD ["api"]
