"""Turning a permission predicate's answer into the response a refused person gets."""
from flask import abort
from flask_login import current_user

from .extensions import login_manager


def ensure(allowed: bool) -> None:
    """Go on if allowed; else send an anonymous visitor to log in, and refuse anyone else (403)."""
    if allowed:
        return
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    abort(403)
