"""The production settings (civpost.settings, read from the environment as in production) with the framework
floors' URLs added: what `make bench` serves under gunicorn. Nothing else differs."""

from civpost import settings as production

globals().update({name: value for name, value in vars(production).items() if name.isupper()})
ROOT_URLCONF = "floor_urls"
