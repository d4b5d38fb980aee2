"""Routes of the assessments blueprint."""
from flask import Blueprint

bp = Blueprint("assessments", __name__)
