# qrshop's image: the package and gunicorn (`qrshop serve`), run as a non-root user.
# The same image runs the web nodes, `qrshop worker` and `qrshop db upgrade`
# (compose.yaml; docs/deploy.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY qrshop/ qrshop/
COPY templates/ templates/
RUN pip install . && rm -rf /src

# The instance folder (secret key, if QRSHOP_SECRET_KEY is not set) and the uploaded media
# (a volume shared by every node, or a mount of object storage) belong to the app's user.
RUN useradd --system --uid 10001 --create-home --home-dir /var/lib/qrshop qrshop \
    && mkdir -p /data/media && chown qrshop:qrshop /data/media
ENV QRSHOP_INSTANCE_PATH=/var/lib/qrshop \
    QRSHOP_VENDOR_CONTENT_DIR=/data/media
USER qrshop
WORKDIR /var/lib/qrshop

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["qrshop", "serve", "--bind", "0.0.0.0:8000"]
