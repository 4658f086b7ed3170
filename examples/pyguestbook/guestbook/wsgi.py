"""The WSGI entry point of gunicorn: `gunicorn guestbook.wsgi:app`."""
from . import create_app

app = create_app()
