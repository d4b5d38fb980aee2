"""The live session screen's assembly, shared by its two pages and their JSON.

- the host's screen (``/workshops/<slug>/live``), projected, in the language the host picks for
  the room (``room_language``);
- the read-only screen on the room's own devices (``/workshops/<slug>/live/view``), in each
  reader's own language.

Both poll the same data (``data``): progress always, the figures only once the host revealed
them (``Workshop.live_revealed``); ``live.payload`` turns it into JSON. The views ask
``permissions.can_host`` or ``permissions.can_follow_live`` first.
"""
from __future__ import annotations

from flask import request, session

from ..benchmark.queries import workshop_benchmark
from ..questionnaires.services import definition_of
from ..i18n import current_language, supported_language
from ..models import Workshop
from . import live, queries

#: Where the session keeps, per workshop, the language the host chose for the room's screen.
ROOM_LANGUAGES = "room_languages"


def room_language(workshop: Workshop) -> str:
    """The host's screen's language: ``?room=`` (then remembered for this workshop in the
    session), the one remembered, else the host's own; independent of the host's interface
    language. An unknown ``?room=`` is ignored."""
    chosen = session.get(ROOM_LANGUAGES, {})
    asked = supported_language(request.args.get("room"))
    if asked and chosen.get(workshop.slug) != asked:
        session[ROOM_LANGUAGES] = {**chosen, workshop.slug: asked}
    return asked or supported_language(chosen.get(workshop.slug)) or current_language()


def data(workshop: Workshop, language: str) -> dict:
    """What both screens poll, with the questionnaire's texts in ``language``. The benchmark rows
    are not even loaded until the host reveals: no score leaves the server before."""
    revealed = workshop.live_revealed
    return live.payload(
        slug=workshop.slug, status=workshop.status.value, revealed=revealed,
        progress=[(p.region.code, p.region.name, p.submitted, p.assigned) for p in queries.progress(workshop)],
        rows=workshop_benchmark(workshop) if revealed else None,
        definition=definition_of(workshop.questionnaire), language=language)
