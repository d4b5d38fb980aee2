"""Forms for writing and moderating practices (choices filled in by the view, in the reader's
language)."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..accounts.forms import CheckboxesField, strip

LANGUAGE_CHOICES = [SelectChoice(code, name) for code, name in
                    (("en", "English"), ("it", "Italiano"), ("da", "Dansk"), ("de", "Deutsch"))]
LINK = re.compile(r"^https?://\S+$")


def parse_editions(text: str) -> list[dict]:
    """One edition a line: ``title | deadline | starts | ends | place | eligibility`` (dates as
    YYYY-MM-DD, any part but the title may be empty). Raises ValueError naming the line."""
    editions = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")] + [""] * 6
        title, *dates = parts[:4]
        place, eligibility = parts[4], parts[5]
        if not title:
            raise ValueError(_l("Line %(n)s: an edition needs a title.", n=number))
        values = []
        for value in dates:
            try:
                values.append(date.fromisoformat(value) if value else None)
            except ValueError:
                raise ValueError(_l("Line %(n)s: %(value)s is not a date (YYYY-MM-DD).", n=number, value=value)) from None
        deadline, starts, ends = values
        if starts and ends and ends < starts:
            raise ValueError(_l("Line %(n)s: the edition ends before it starts.", n=number))
        editions.append({"title": title[:200], "deadline": deadline, "starts": starts, "ends": ends,
                         "place": place[:200], "eligibility": eligibility[:300]})
    return editions


def editions_text(editions) -> str:
    def iso(d):
        return d.isoformat() if d else ""
    return "\n".join(" | ".join([e.title, iso(e.deadline), iso(e.starts), iso(e.ends), e.place, e.eligibility])
                     for e in editions)


class PracticeForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[InputRequired(), Length(max=200)])
    language = SelectField(_l("Language the practice is written in"), choices=LANGUAGE_CHOICES)
    title_en = StringField(_l("Title in English"), filters=[strip], validators=[Length(max=200)],
                           description=_l("When the practice is written in another language."))
    region_id = SelectField(_l("Owner region"), coerce=int)
    organisation = StringField(_l("Organisation"), filters=[strip], validators=[Length(max=300)])
    summary = TextAreaField(_l("Summary"), filters=[strip], validators=[Length(max=2000)])
    summary_en = TextAreaField(_l("Summary in English"), filters=[strip], validators=[Length(max=2000)])
    description = TextAreaField(_l("Detailed description"), filters=[strip], validators=[Length(max=20000)])
    resources = TextAreaField(_l("Resources needed"), filters=[strip], validators=[Length(max=5000)])
    timescale = TextAreaField(_l("Timescale"), filters=[strip], validators=[Length(max=5000)])
    evidence = TextAreaField(_l("Evidence of success"), filters=[strip], validators=[Length(max=5000)])
    difficulties = TextAreaField(_l("Difficulties encountered"), filters=[strip], validators=[Length(max=5000)])
    transferability = TextAreaField(_l("Potential for learning or transfer"), filters=[strip],
                                    validators=[Length(max=5000)])
    contact = TextAreaField(_l("Contact"), filters=[strip], validators=[Length(max=2000)])
    links = TextAreaField(_l("Links"), filters=[strip], validators=[Optional()],
                          description=_l("One http(s) address a line."))
    instruments = CheckboxesField(_l("Instruments"))
    sectors = CheckboxesField(_l("Target sectors"))
    markets = SelectMultipleField(_l("Target markets"), description=_l("Hold Ctrl (or ⌘) to choose several."))
    stages = CheckboxesField(_l("SME stage"))
    dimensions = CheckboxesField(_l("Dimensions it strengthens"))
    editions = TextAreaField(_l("Dated editions"), filters=[strip], description=_l(
        "One a line: title | application deadline | starts | ends | place | eligibility, "
        "dates as YYYY-MM-DD, e.g. “Mission to Tokyo | 2026-05-13 | 2026-07-16 | 2026-07-19 | Tokyo | SMEs based in Lombardy”."))

    def validate_links(self, field):
        bad = [line for line in field.data.splitlines() if line.strip() and not LINK.match(line.strip())]
        if bad:
            raise ValidationError(_l("Not an http(s) address: %(link)s", link=bad[0]))

    def validate_editions(self, field):
        try:
            parse_editions(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def data_for_service(self, region) -> dict:
        data = {name: getattr(self, name).data for name in (
            "title", "title_en", "language", "organisation", "summary", "summary_en", "description",
            "resources", "timescale", "evidence", "difficulties", "transferability", "contact",
            "instruments", "sectors", "markets", "stages", "dimensions")}
        data["links"] = [line.strip() for line in (self.links.data or "").splitlines() if line.strip()]
        data["editions"] = parse_editions(self.editions.data)
        data["region"] = region
        return data


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("Why it goes back to draft"), filters=[strip],
                           validators=[InputRequired(), Length(max=2000)],
                           description=_l("The authors see this on the practice page."))
