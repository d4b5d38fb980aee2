"""Routes of the workshops blueprint."""
from flask import Blueprint

bp = Blueprint("workshops", __name__)
