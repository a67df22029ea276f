"""The eligibility self-check form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

EDUCATION_CHOICES = [
    SelectChoice("none", _l("Junior high school or below")),
    SelectChoice("secondary", _l("Senior high school / secondary vocational school (高中/中专)")),
    SelectChoice("college", _l("Junior college (大专)")),
    SelectChoice("bachelor", _l("Bachelor's degree (本科)")),
    SelectChoice("postgraduate", _l("Postgraduate (研究生)")),
]
CERTIFICATE_CHOICES = [
    SelectChoice("carbon_junior", _l("Junior carbon-reduction certificate (初级碳减排领域证书)")),
    SelectChoice(
        "carbon_intermediate", _l("Intermediate carbon-reduction certificate (中级碳减排领域证书)")
    ),
    SelectChoice("other_junior", _l("Another junior vocational, skill or title certificate")),
    SelectChoice(
        "other_intermediate", _l("Another intermediate vocational, skill or title certificate")
    ),
    SelectChoice("other_senior", _l("Another senior vocational, skill or title certificate")),
]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EligibilityForm(FlaskForm):
    education = SelectField(_l("Highest education"), choices=EDUCATION_CHOICES, default="bachelor")
    related_major = BooleanField(
        _l("My degree is in a related major (environmental engineering and science, energy, …)")
    )
    student = BooleanField(_l("I am a university or vocational-college student"))
    years_in_field = DecimalField(
        _l("Years working in the field"),
        places=1,
        validators=[Optional(), NumberRange(min=0, max=60)],
    )
    started_on = DateField(
        _l("…or the date I started working in the field"), validators=[Optional()]
    )
    continuous = BooleanField(_l("Without interruption (连续从事)"), default=True)
    certificates = MultiCheckboxField(_l("Certificates held"), choices=CERTIFICATE_CHOICES)
    senior_certificate_on = DateField(
        _l("Date the other senior certificate was obtained"), validators=[Optional()]
    )
