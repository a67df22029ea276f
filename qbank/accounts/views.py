"""Sign-in and sign-out, learner registration, the profile page and user administration."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from qbank.accounts import services
from qbank.accounts.forms import (
    ROLE_LABELS,
    CreateUserForm,
    EditUserForm,
    LoginForm,
    PasswordForm,
    RegisterForm,
    TrackForm,
)
from qbank.accounts.models import Role, User
from qbank.accounts.permissions import public, roles_required, signed_in
from qbank.db import db
from qbank.errors import QbankError
from qbank.messages import describe
from qbank.site import safe_next
from qbank.syllabus.services import list_levels, list_specialties

bp = Blueprint("accounts", __name__)


def _track_choices(form: RegisterForm | TrackForm, english: bool) -> None:
    form.specialty.choices = [
        SelectChoice(s.code, s.title_en if english else s.title)
        for s in list_specialties(db.session)
    ]
    form.level.choices = [
        SelectChoice(lv.code, lv.title_en if english else lv.title)
        for lv in list_levels(db.session)
    ]


def _english() -> bool:
    from flask_babel import get_locale

    return str(get_locale()).startswith("en")


def home_for(user: User) -> str:
    return url_for("site.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                db.session,
                form.username.data,
                form.password.data,
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                lockout=dt.timedelta(seconds=current_app.config["LOGIN_LOCKOUT_SECONDS"]),
            )
        except QbankError as exc:
            db.session.commit()  # keep the failure count
            flash(describe(exc), "error")
            return render_template("accounts/login.html", form=form), exc.status
        services.record_event(db.session, user, "user.login", f"user:{user.id}")
        db.session.commit()
        session.clear()  # a fresh session on sign-in: nothing carried over from before
        login_user(user, remember=form.remember.data)
        return redirect(safe_next(request.args.get("next"), home_for(user)))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@signed_in
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("site.home"))


@bp.route("/register", methods=["GET", "POST"])
@public
def register():  # type: ignore[no-untyped-def]
    form = RegisterForm()
    _track_choices(form, _english())
    if form.validate_on_submit():
        try:
            user = services.register_learner(
                db.session,
                form.username.data,
                form.password.data,
                form.display_name.data,
                form.specialty.data,
                form.level.data,
            )
        except QbankError as exc:
            db.session.rollback()
            flash(describe(exc), "error")
            return render_template("accounts/register.html", form=form), 422
        db.session.commit()
        session.clear()
        login_user(user)
        flash(_("Welcome! Your account is ready."), "success")
        return redirect(url_for("site.home"))
    return render_template("accounts/register.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():  # type: ignore[no-untyped-def]
    track = TrackForm(prefix="track")
    _track_choices(track, _english())
    password = PasswordForm(prefix="pw")
    if request.method == "GET":
        track.specialty.data = current_user.specialty_code
        track.level.data = current_user.level_code
    try:
        if "track-specialty" in request.form and track.validate_on_submit():
            services.update_track(db.session, current_user, track.specialty.data, track.level.data)
            db.session.commit()
            flash(_("Your specialty and level are saved."), "success")
            return redirect(url_for("accounts.account"))
        if "pw-current" in request.form and password.validate_on_submit():
            services.change_password(
                db.session, current_user, password.current.data, password.new.data
            )
            db.session.commit()
            login_user(current_user._get_current_object())  # new version: stay signed in
            flash(_("Your password has been changed. Other devices are signed out."), "success")
            return redirect(url_for("accounts.account"))
    except QbankError as exc:
        db.session.rollback()
        flash(describe(exc), "error")
    return render_template(
        "accounts/account.html", track=track, password=password, role_labels=ROLE_LABELS
    )


@bp.route("/admin/users", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def users():  # type: ignore[no-untyped-def]
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session,
                form.username.data,
                form.password.data,
                display_name=form.display_name.data,
                email=form.email.data or None,
                roles=[Role(r) for r in form.roles.data or [Role.LEARNER.value]],
                actor=current_user,
            )
        except QbankError as exc:
            db.session.rollback()
            flash(describe(exc), "error")
        else:
            db.session.commit()
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("accounts.users"))
    query = request.args.get("q", "").strip()
    stmt = select(User).order_by(User.username)
    if query:
        stmt = stmt.where(User.username.icontains(query) | User.display_name.icontains(query))
    rows = db.session.scalars(stmt.limit(500)).all()
    return render_template(
        "accounts/users.html", form=form, users=rows, q=query, role_labels=ROLE_LABELS
    )


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int):  # type: ignore[no-untyped-def]
    user = services.get_user(db.session, user_id)
    form = EditUserForm()
    if request.method == "GET":
        form.roles.data = sorted(r.value for r in user.roles)
        form.enabled.data = user.is_enabled
    if form.validate_on_submit():
        try:
            services.set_roles(
                db.session, user, [Role(r) for r in form.roles.data or []], current_user
            )
            services.set_enabled(db.session, user, form.enabled.data, current_user)
        except QbankError as exc:
            db.session.rollback()
            flash(describe(exc), "error")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.users"))
    return render_template(
        "accounts/edit_user.html", form=form, subject=user, role_labels=ROLE_LABELS
    )
