# One image for the web, worker and beat processes of docker-compose.yml.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# postgresql-client: pg_dump and pg_restore for manage.py backup and restore (Debian 12
# ships 15, the version of the postgres service; pg_dump must not be older than the server).
RUN apt-get update && apt-get install -y --no-install-recommends gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=0 SECRET_KEY=build-only-placeholder-not-used-at-runtime-xxxxxxxx \
    python manage.py collectstatic --noinput \
    && python manage.py compilemessages --ignore=.venv
RUN useradd --create-home --uid 1000 tracker && mkdir -p /app/var/media /app/var/beat /app/var/backups && chown -R tracker /app/var
USER tracker
EXPOSE 8000
CMD ["gunicorn", "compact_tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
