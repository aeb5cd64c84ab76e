FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_DEBUG=false
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs settings to import; the key is a build-time placeholder, never used to serve.
RUN DJANGO_SECRET_KEY=build-only-placeholder-key-not-used-at-runtime-000000 \
    DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input \
    && useradd --create-home oclo && mkdir -p var && chown oclo var
USER oclo
# gunicorn's master keeps the search facet snapshot written here; its workers map it.
ENV OCLO_SEARCH_SNAPSHOT_DIR=/app/var/search-snapshot

EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --no-input && python manage.py load_taxonomies && python manage.py update_text_index && gunicorn -c oclo/gunicorn.py oclo.wsgi:application"]
