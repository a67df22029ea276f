"""Pages for subject experts and reviewers: the bank list and search, a question, the editor,
its history, the review queue and bulk actions."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from qbank.accounts.models import Role, User
from qbank.accounts.permissions import roles_required
from qbank.authoring import questions as qs
from qbank.authoring import workflow
from qbank.authoring.diff import diff_versions
from qbank.authoring.draft import QuestionType
from qbank.authoring.dupcheck import find_duplicates, version_text
from qbank.authoring.editor import blank_draft, draft_from_form, form_values
from qbank.authoring.listing import QuestionFilter, filter_statement
from qbank.authoring.models import Question, QuestionStatus, QuestionVersion, ReviewEvent
from qbank.authoring.search_service import search_bank
from qbank.db import db
from qbank.error_pages import returns_json
from qbank.errors import QbankError
from qbank.messages import describe
from qbank.rendering import render_markdown
from qbank.syllabus.services import list_levels, list_specialties

bp = Blueprint("authoring", __name__, url_prefix="/questions")
READERS = (Role.AUTHOR, Role.REVIEWER, Role.EXAMINER)
WRITERS = (Role.AUTHOR, Role.REVIEWER)
PER_PAGE = 25


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def filter_from_args(args: Any) -> QuestionFilter:
    author = args.get("author", "")
    return QuestionFilter(
        text=args.get("q", "").strip()[:200],
        section=args.get("section", "").strip(),
        types=tuple(t for t in args.getlist("type") if t in {t.value for t in QuestionType}),
        statuses=tuple(s for s in args.getlist("status") if s in {s.value for s in QuestionStatus}),
        level=args.get("level", ""),
        difficulty_min=_int(args.get("dmin")),
        difficulty_max=_int(args.get("dmax")),
        author_id=current_user.id if author == "me" else _int(author),
        tag=args.get("tag", "").strip(),
    )


def _sections_for_picker() -> list[Any]:
    return list_specialties(db.session)


def _cache_key() -> str:
    return str(current_app.config["SQLALCHEMY_DATABASE_URI"])


@bp.get("")
@roles_required(*READERS)
def index():  # type: ignore[no-untyped-def]
    f = filter_from_args(request.args)
    page = max(1, _int(request.args.get("page")) or 1)
    result = search_bank(db.session, f, page, PER_PAGE)
    return render_template(
        "authoring/list.html",
        result=result,
        f=f,
        args=request.args,
        specialties=_sections_for_picker(),
        levels=list_levels(db.session),
        statuses=list(QuestionStatus),
        types=list(QuestionType),
        bulk_actions=list(workflow.Action),
    )


@bp.get("/<int:question_id>")
@roles_required(*READERS)
def detail(question_id: int):  # type: ignore[no-untyped-def]
    q = qs.get_question(db.session, question_id)
    version = q.current_version
    events = db.session.scalars(
        select(ReviewEvent)
        .where(ReviewEvent.question_id == q.id)
        .order_by(ReviewEvent.at.desc())
        .limit(20)
    ).all()
    actions = workflow.available_actions(q, current_user)
    duplicates = (
        find_duplicates(db.session, version_text(version), cache_key=_cache_key(), exclude_id=q.id)
        if version is not None
        else []
    )
    return render_template(
        "authoring/detail.html",
        q=q,
        v=version,
        events=events,
        actions=actions,
        can_edit=qs.can_edit(q, current_user),
        duplicates=duplicates,
        sections=_section_titles(),
    )


def _section_titles() -> dict[str, Any]:
    from qbank.syllabus.services import all_sections

    return all_sections(db.session)


def _editor(
    q: Question | None,
    qtype: QuestionType,
    values: dict[str, Any],
    problems: list[str] | None = None,
    status: int = 200,
):  # type: ignore[no-untyped-def]
    return render_template(
        "authoring/editor.html",
        q=q,
        qtype=qtype,
        v=values,
        problems=problems or [],
        specialties=_sections_for_picker(),
        levels=list_levels(db.session),
    ), status


def _save_problems(exc: QbankError) -> list[str]:
    return list(exc.details.get("problems") or [describe(exc)])


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.AUTHOR)
def create():  # type: ignore[no-untyped-def]
    try:
        qtype = QuestionType(request.values.get("type", "single"))
    except ValueError:
        abort(400)
    if request.method == "GET":
        return _editor(None, qtype, form_values(blank_draft(qtype)))
    draft, _errors = draft_from_form(request.form.to_dict(flat=False), qtype)
    try:
        q = qs.create_question(db.session, draft, current_user)
        if request.form.get("submit_for_review"):
            workflow.transition(db.session, q, workflow.Action.SUBMIT, current_user)
    except QbankError as exc:
        db.session.rollback()
        return _editor(None, qtype, form_values(draft), _save_problems(exc), 422)
    db.session.commit()
    flash(_("Question %(uid)s saved.", uid=q.uid), "success")
    return redirect(url_for("authoring.detail", question_id=q.id))


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def edit(question_id: int):  # type: ignore[no-untyped-def]
    q = qs.get_question(db.session, question_id)
    if not qs.can_edit(q, current_user):
        abort(403)
    qtype = QuestionType(q.type)
    if request.method == "GET":
        assert q.current_version is not None
        return _editor(q, qtype, form_values(qs.draft_from_version(q.current_version, q.uid)))
    draft, _errors = draft_from_form(request.form.to_dict(flat=False), qtype)
    try:
        changed = qs.update_question(
            db.session, q, draft, current_user, comment=request.form.get("comment", "")[:500]
        )
        if request.form.get("submit_for_review") and q.status in (
            QuestionStatus.DRAFT,
            QuestionStatus.RETURNED,
        ):
            workflow.transition(db.session, q, workflow.Action.SUBMIT, current_user)
    except QbankError as exc:
        db.session.rollback()
        return _editor(q, qtype, form_values(draft), _save_problems(exc), 422)
    db.session.commit()
    flash(_("Saved.") if changed else _("Nothing changed."), "success" if changed else "info")
    return redirect(url_for("authoring.detail", question_id=q.id))


@bp.post("/<int:question_id>/transition")
@roles_required(*WRITERS)
def transition(question_id: int):  # type: ignore[no-untyped-def]
    q = qs.get_question(db.session, question_id)
    try:
        action = workflow.Action(request.form.get("action", ""))
        workflow.transition(db.session, q, action, current_user, request.form.get("comment", ""))
    except ValueError:
        abort(400)
    except QbankError as exc:
        db.session.rollback()
        flash(describe(exc), "error")
        return redirect(url_for("authoring.detail", question_id=q.id))
    db.session.commit()
    flash(_("Done: %(status)s.", status=status_label(q.status)), "success")
    target = request.form.get("next")
    if target == "review":
        return redirect(url_for("authoring.review"))
    return redirect(url_for("authoring.detail", question_id=q.id))


@bp.get("/<int:question_id>/history")
@roles_required(*READERS)
def history(question_id: int):  # type: ignore[no-untyped-def]
    q = qs.get_question(db.session, question_id)
    versions: list[QuestionVersion] = list(q.versions)
    diffs = []
    previous = None
    for v in versions:
        diffs.append((v, diff_versions(previous, v)))
        previous = v
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(
                User.id.in_(
                    {v.created_by_id for v in versions} | {v.approved_by_id for v in versions}
                )
            )
        )
    }
    events = db.session.scalars(
        select(ReviewEvent).where(ReviewEvent.question_id == q.id).order_by(ReviewEvent.at)
    ).all()
    return render_template(
        "authoring/history.html", q=q, diffs=list(reversed(diffs)), users=users, events=events
    )


@bp.get("/review")
@roles_required(Role.REVIEWER)
def review():  # type: ignore[no-untyped-def]
    waiting = db.session.scalars(
        select(Question)
        .where(Question.status == QuestionStatus.SUBMITTED.value)
        .order_by(Question.updated_at)
    ).all()
    mine = [q for q in waiting if workflow.is_own(q, current_user)]
    others = [q for q in waiting if not workflow.is_own(q, current_user)]
    return render_template(
        "authoring/review.html", others=others, mine=mine, sections=_section_titles()
    )


@bp.post("/bulk")
@roles_required(*WRITERS)
def bulk():  # type: ignore[no-untyped-def]
    from qbank.authoring import bulkedit

    ids = [i for i in (_int(x) for x in request.form.getlist("ids")) if i is not None]
    if request.form.get("scope") == "filter":
        stmt = filter_statement(filter_from_args(request.form), qs.section_resolver(db.session))
        questions = list(db.session.scalars(stmt.limit(5000)))
    else:
        questions = list(db.session.scalars(select(Question).where(Question.id.in_(ids))))
    if not questions:
        flash(_("Select some questions first."), "warning")
        return redirect(request.form.get("back") or url_for("authoring.index"))
    action = request.form.get("action", "")
    try:
        result = bulkedit.apply(
            db.session,
            questions,
            action,
            current_user,
            comment=request.form.get("comment", ""),
            tags=request.form.get("tags", ""),
            section=request.form.get("section_to", ""),
        )
    except QbankError as exc:
        db.session.rollback()
        flash(describe(exc), "error")
        return redirect(request.form.get("back") or url_for("authoring.index"))
    db.session.commit()
    flash(
        _(
            "%(done)s question(s) updated, %(skipped)s skipped.",
            done=len(result.done),
            skipped=len(result.skipped),
        ),
        "success" if result.done else "warning",
    )
    for qid, reason in result.skipped[:10]:
        flash(f"#{qid}: {describe(QbankError(reason))}", "info")
    back = request.form.get("back", "")
    return redirect(back if back.startswith("/questions") else url_for("authoring.index"))


@bp.post("/preview")
@roles_required(*WRITERS)
@returns_json
def preview():  # type: ignore[no-untyped-def]
    """Rendered Markdown for the editor's live preview (JSON in, JSON out)."""
    data = request.get_json(silent=True) or {}
    fields = data.get("fields") if isinstance(data.get("fields"), dict) else {}
    out = {k: str(render_markdown(str(v)[:20000])) for k, v in list(fields.items())[:40]}
    return jsonify(html=out)


@bp.post("/similar")
@roles_required(*WRITERS)
@returns_json
def similar():  # type: ignore[no-untyped-def]
    """Near-duplicates of the text being edited."""
    data = request.get_json(silent=True) or {}
    text = str(data.get("text", ""))[:20000]
    exclude = _int(str(data.get("exclude") or ""))
    matches = find_duplicates(db.session, text, cache_key=_cache_key(), exclude_id=exclude)
    rows = []
    for m in matches:
        q = db.session.get(Question, m.question_id)
        if q is None or q.current_version is None:
            continue
        rows.append(
            {
                "id": q.id,
                "uid": q.uid,
                "similarity": round(m.similarity, 3),
                "status": q.status,
                "url": url_for("authoring.detail", question_id=q.id),
                "stem": str(render_markdown(q.current_version.stem)),
            }
        )
    return jsonify(matches=rows)


def status_label(status: str) -> str:
    from flask_babel import gettext

    labels = {
        "draft": gettext("draft"),
        "submitted": gettext("submitted"),
        "approved": gettext("approved"),
        "returned": gettext("returned"),
        "retired": gettext("retired"),
    }
    return labels.get(status, status)


@bp.app_template_global()
def question_status_label(status: str) -> str:
    return status_label(status)


@bp.app_template_global()
def question_type_label(qtype: str) -> str:
    from flask_babel import gettext

    return {
        "single": gettext("Single choice"),
        "multiple": gettext("Multiple choice"),
        "short": gettext("Short answer"),
    }.get(qtype, qtype)


@bp.app_template_filter("markdown")
def markdown_filter(text: str) -> Any:
    return render_markdown(text or "")
