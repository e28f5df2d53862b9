"""The yardstick: a bare Flask app, served by the same gunicorn settings as the portal."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
