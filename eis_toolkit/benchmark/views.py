"""Routes of the benchmark blueprint."""
from flask import Blueprint

bp = Blueprint("benchmark", __name__)
