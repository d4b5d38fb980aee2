"""Who a report is for when it is made at the command line.

The visibility predicates of ``permissions.py`` take a person. ``eis report`` runs on the
server, by whoever runs the installation, so by default it reads as the :class:`Operator`: what
an admin sees on the pages (reviews with their authors' names included). ``--as EMAIL`` renders
the copy a given person would download instead (e.g. a member of the reviewed region, who sees
the reviewers' names only when the workshop shows them).
"""
from __future__ import annotations

from ..models import Role


class Operator:
    """The installation's operator at the command line: sees what an admin sees."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    id = None
    region_id = None
    region = None
    name = "EIS Toolkit"
    language = "en"

    def has_role(self, role) -> bool:
        return role == Role.ADMIN

    def get_id(self):
        return None
