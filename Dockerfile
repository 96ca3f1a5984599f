# syntax=docker/dockerfile:1
# One image for every Pressroom process; the command picks the role:
#   pressroom db upgrade | pressroom web … | pressroom worker … | pressroom beat | pressroom check
# Configuration comes only from PRESSROOM_* variables at run time; nothing secret is built in.
# See docs/operations.md.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: the locked dependencies in a virtual environment ---------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
COPY requirements-runtime.lock /tmp/requirements.lock
# Every package pinned and hash-checked: pip refuses a package that is missing from the lock file
# or whose hash differs. The runtime lock is requirements.lock without the test tools (pytest,
# Playwright, mypy…), at the same versions; a test keeps the two in step.
RUN /opt/venv/bin/pip install --require-hashes -r /tmp/requirements.lock

# --- runtime: the environment and the source, run as an unprivileged user ----------------------
FROM ${PYTHON_IMAGE}

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PRESSROOM_DATA_DIR=/var/lib/pressroom

RUN groupadd --system --gid 10001 pressroom \
 && useradd --system --uid 10001 --gid pressroom --home-dir /var/lib/pressroom --no-create-home \
        --shell /usr/sbin/nologin pressroom \
 && install -d -o pressroom -g pressroom -m 0750 /var/lib/pressroom

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# The source is owned by root and read-only for the service user (.dockerignore keeps out the
# virtualenv, databases, caches, tests and any .env file).
COPY . /app
# The `pressroom` command runs the CLI from /app (every top-level room is importable from there);
# byte-code is compiled now because the service user cannot write to /app.
RUN printf '#!/opt/venv/bin/python\nimport sys\nfrom cli.main import main\nsys.exit(main())\n' \
        > /opt/venv/bin/pressroom \
 && chmod 0755 /opt/venv/bin/pressroom \
 && python -m compileall -q /app \
 && pressroom --help > /dev/null

USER pressroom:pressroom
EXPOSE 8000
CMD ["pressroom", "web", "--host", "0.0.0.0", "--port", "8000"]
