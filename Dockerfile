FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends gettext chromium fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# collectstatic needs settings but no database or secrets of the real deployment.
RUN DEBUG=0 SECRET_KEY=build-only FIELD_ENCRYPTION_KEYS=ZmFrZS1idWlsZC1rZXktZmFrZS1idWlsZC1rZXktMDA= \
    python manage.py collectstatic --noinput && python manage.py compilemessages -l ru --ignore=.venv

RUN useradd --create-home --uid 1000 app
# Production by default: SECRET_KEY, ALLOWED_HOSTS and FIELD_ENCRYPTION_KEYS must come from the
# environment (see .env.example); the app refuses to start without them.
ENV DEBUG=0
USER app
EXPOSE 8000
CMD ["gunicorn", "smm_platform.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
