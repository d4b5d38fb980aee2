"""What the workshop pages' scripts write, in the reader's language (``data-messages``).

As for the self-assessment page (``assessments.views.autosave_messages``): texts keep their
``%(name)s`` placeholders for the script to fill in; plurals come as ``[one, other]``. Called
while rendering, so a page rendered in another language (the live screen in the room's
language, under ``force_locale``) gets its script's words in that language too.
"""
from __future__ import annotations

from flask_babel import get_translations

from ..i18n import STATUS_LABELS


def live_messages() -> dict:
    """The live screen's words: progress, the figures' labels, the switch, the connection."""
    found = get_translations()
    return {
        "statuses": {status: str(label) for status, label in STATUS_LABELS.items()},
        "no_region": found.ugettext("No hot-seat region."),
        "progress": found.ugettext("%(done)s of %(all)s"),
        "progress_label": found.ugettext("%(region)s: %(done)s of %(all)s reviews submitted"),
        "overall": found.ugettext("overall: self %(self)s · peers %(peers)s"),
        "dimension": found.ugettext("Dimension"),
        "bars": found.ugettext("Bars: self and peers"),
        "self_head": found.ugettext("Self"),
        "peers_head": found.ugettext("Peers"),
        "gap_head": found.ugettext("Gap"),
        "no_scores": found.ugettext("No submitted peer score yet."),
        "self": found.ugettext("self"),
        "peers": found.ugettext("peers"),
        "peer_figures": found.ugettext("%(mean)s (%(min)s–%(max)s, n %(n)s)"),
        "spread": found.ugettext("spread"),
        "gap": found.ugettext("gap"),
        "hide": found.ugettext("Hide the scores"),
        "reveal": found.ugettext("Reveal the scores"),
        "updated": found.ugettext("Updated %(time)s"),
        "not_allowed": found.ugettext("not allowed"),
        "status": found.ugettext("the server answered %(status)s"),
        "unreachable": found.ugettext("Cannot reach the server (%(error)s); retrying…"),
        "switch_failed": found.ugettext("The switch did not work (%(error)s)."),
    }


def review_messages() -> dict:
    """The review page's autosave words."""
    found = get_translations()
    return {
        "saving": found.ugettext("Saving…"),
        "saved": found.ugettext("Draft saved at %(time)s."),
        "missing": [found.ungettext("%(num)d question still to score.", "%(num)d questions still to score.", n)
                    for n in (1, 2)],
        "complete": found.ugettext("Every question is scored."),
        "conflict": found.ugettext("This review changed elsewhere; reload the page."),
        "logged_out": found.ugettext("You are logged out."),
        "not_saved": found.ugettext("Not saved (the server answered %(status)s)."),
        "use_button": found.ugettext("%(problem)s Use “Save draft”."),
        "offline": found.ugettext("Not saved: no connection. It will be tried again after your next change."),
    }
