"""Sign-in, registration, profile and user-administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from qbank.accounts.models import Role

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.AUTHOR: _l("Author (subject expert)"),
    Role.REVIEWER: _l("Reviewer"),
    Role.EXAMINER: _l("Examiner"),
    Role.LEARNER: _l("Learner"),
}


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class RegisterForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(min=3, max=64)])
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    specialty = SelectField(_l("Specialty"), validators=[DataRequired()])
    level = SelectField(_l("Level"), validators=[DataRequired()])


class TrackForm(FlaskForm):
    specialty = SelectField(_l("Specialty"), validators=[DataRequired()])
    level = SelectField(_l("Level"), validators=[DataRequired()])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The passwords differ."))],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(r.value, ROLE_LABELS[r]) for r in Role]


class CreateUserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(min=3, max=64)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=200)])
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(min=8, max=200)]
    )
    roles = MultiCheckboxField(_l("Roles"), choices=role_choices())


class EditUserForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"), choices=role_choices())
    enabled = BooleanField(_l("Account enabled"))
