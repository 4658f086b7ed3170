"""The guestbook in Python: Flask and PostgreSQL (psycopg2), served by gunicorn in production.

`create_app()` builds the Flask app. The database is reached through libpq's variables
(PGHOST, PGPORT, PGUSER, PGDATABASE, PGOPTIONS): the postgresql preset sets them for every
process of the profile, and the image gets them from `podman run -e`.
"""
from flask import Flask, jsonify, redirect, render_template_string, request

from . import db
from .entries import Invalid, validate

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Guestbook</title></head>
<body>
<h1>Guestbook</h1>
<form method="post" action="/">
  <input name="name" placeholder="Your name" value="{{ form.name }}">
  <textarea name="message" placeholder="Your message">{{ form.message }}</textarea>
  <button>Sign</button>
</form>
{% for error in errors %}<p class="error">{{ error }}</p>{% endfor %}
<p>{{ entries|length }} {{ "entry" if entries|length == 1 else "entries" }}</p>
<ul>
{% for entry in entries %}<li><b>{{ entry.name }}</b>: {{ entry.message }}</li>
{% endfor %}</ul>
</body>
</html>
"""


def create_app():
    """The Flask app: `GET /` lists the entries, `POST /` signs, `GET /health` checks PostgreSQL."""
    app = Flask(__name__)
    app.teardown_appcontext(db.close)

    @app.get("/")
    def index():
        return render_template_string(PAGE, entries=db.entries(), errors=[], form={"name": "", "message": ""})

    @app.post("/")
    def sign():
        form = {"name": request.form.get("name", ""), "message": request.form.get("message", "")}
        try:
            name, message = validate(form["name"], form["message"])
        except Invalid as invalid:
            page = render_template_string(PAGE, entries=db.entries(), errors=invalid.errors, form=form)
            return page, 422
        db.sign(name, message)
        return redirect("/", code=303)

    @app.get("/health")
    def health():
        try:
            db.ping()
        except db.Error as error:
            return jsonify(status="failing", postgres=f"error: {error}".strip()), 503
        return jsonify(status="ok", postgres="ok")

    return app
