FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY weekly ./weekly
COPY contributors ./contributors
COPY papers ./papers
COPY issues ./issues
COPY manage.py ./
RUN pip install . && useradd --create-home weekly && mkdir -p /app/var /app/staticfiles \
    && chown -R weekly /app/var /app/staticfiles

USER weekly
EXPOSE 8000
CMD ["gunicorn", "weekly.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
