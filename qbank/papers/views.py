"""Pages for examiners: assembling papers, reviewing them, swapping a question, publishing,
exporting, comparing parallel forms; and the coverage matrix (authors, reviewers, examiners)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from qbank.accounts.models import Role
from qbank.accounts.permissions import roles_required
from qbank.analytics.plots import PlotText
from qbank.db import db
from qbank.errors import QbankError
from qbank.messages import describe
from qbank.papers import assembling, blueprints, coverage, downloads, records, review, swapping
from qbank.papers.charts import PER, information_chart, score_chart
from qbank.papers.models import ItemOrigin
from qbank.papers.printing import fmt
from qbank.papers.printmath import print_html, print_inline
from qbank.rendering import plain_text
from qbank.syllabus.services import all_sections, list_levels, list_specialties

bp = Blueprint("papers", __name__, url_prefix="/papers")
READERS = (Role.EXAMINER, Role.REVIEWER)
COVERAGE_READERS = (Role.AUTHOR, Role.REVIEWER, Role.EXAMINER)


@bp.context_processor
def track_names() -> dict[str, Any]:
    """Specialty and level names in the page's language, for every page of the room."""
    from flask_babel import get_locale

    english = str(get_locale() or "").startswith("en")
    return {
        "specialty_names": {
            s.code: (s.title_en if english else s.title) for s in list_specialties(db.session)
        },
        "level_names": {
            lv.code: (lv.title_en if english else lv.title) for lv in list_levels(db.session)
        },
    }


def _user() -> Any:
    return current_user._get_current_object()


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(value))) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


@bp.get("")
@roles_required(*READERS)
def index():  # type: ignore[no-untyped-def]
    args = request.args
    papers = records.list_papers(
        db.session,
        _user(),
        specialty=args.get("specialty") or None,
        level=args.get("level") or None,
        status=args.get("status") or None,
    )
    return render_template(
        "papers/index.html",
        papers=papers,
        specialties=list_specialties(db.session),
        levels=list_levels(db.session),
        args=args,
    )


@bp.route("/assemble", methods=["GET", "POST"])
@roles_required(Role.EXAMINER)
def assemble():  # type: ignore[no-untyped-def]
    choices = blueprints.list_blueprints(db.session)
    values = request.values
    selected = _int(values.get("blueprint"), choices[0].id if choices else 0, 0, 2**31)
    seed = _int(values.get("seed"), 0, 0, 2**31 - 1)
    time_limit = _int(values.get("time_limit"), 10, 1, int(assembling.MAX_TIME_LIMIT))
    form = {"blueprint": selected, "forms": values.get("forms", ""), "seed": seed,
            "time_limit": time_limit}  # fmt: skip
    outcome = None
    if request.method == "POST":
        if not values.get("blueprint"):
            abort(400)
        record = blueprints.get_blueprint(db.session, selected)
        forms = _int(values.get("forms"), 0, 0, assembling.MAX_FORMS) or None
        outcome = assembling.assemble_papers(
            db.session,
            record,
            _user(),
            forms=forms,
            seed=seed,
            time_limit=time_limit,
        )
        if outcome.papers:
            db.session.commit()
            flash(
                _(
                    "%(n)s paper(s) assembled in %(s)s s (%(status)s).",
                    n=len(outcome.papers),
                    s=f"{outcome.seconds:.1f}",
                    status=outcome.status,
                ),
                "success",
            )
            first = outcome.papers[0]
            if len(outcome.papers) > 1:
                return redirect(url_for("papers.compare", paper_id=first.id))
            return redirect(url_for("papers.detail", paper_id=first.id))
        db.session.rollback()
    status = 422 if outcome is not None else 200
    return render_template(
        "papers/assemble.html", choices=choices, form=form, outcome=outcome,
        max_time=int(assembling.MAX_TIME_LIMIT), max_forms=assembling.MAX_FORMS,
    ), status  # fmt: skip


def _charts(rev: review.PaperReview) -> dict[str, str]:
    info = information_chart(
        [(_("Form %(f)s", f=rev.paper.form_letter), rev.params)],
        PlotText(_("Test information"), _("Ability θ"), _("Information")),
        _("Standard error (dashed)"),
    )
    scores = score_chart(
        rev.forecast,
        rev.paper.cut_score,
        PlotText(
            _("Expected score distribution"),
            _("Score"),
            _("Candidates per %(n)s", n=f"{PER:,}"),
            (_("Pass mark"),),
        ),
    )
    return {"information": info, "scores": scores}


@bp.get("/<int:paper_id>")
@roles_required(*READERS)
def detail(paper_id: int):  # type: ignore[no-untyped-def]
    paper = records.get_paper(db.session, paper_id, _user())
    rev = review.review_paper(db.session, paper)
    siblings = records.batch_papers(db.session, paper, _user())
    return render_template(
        "papers/detail.html",
        paper=paper,
        rev=rev,
        charts=_charts(rev),
        siblings=siblings,
        sections=all_sections(db.session),
        can_change=records.can_change(paper, _user()),
    )


@bp.get("/<int:paper_id>/compare")
@roles_required(*READERS)
def compare(paper_id: int):  # type: ignore[no-untyped-def]
    paper = records.get_paper(db.session, paper_id, _user())
    papers = records.batch_papers(db.session, paper, _user())
    other = request.args.get("with", type=int)
    if other and other not in {p.id for p in papers}:
        extra = records.get_paper(db.session, other, _user())
        if (extra.specialty_code, extra.level_code) == (paper.specialty_code, paper.level_code):
            papers.append(extra)
    forms = review.compare_forms(db.session, papers)
    chart = information_chart(
        [(f"{f.paper.form_letter} · #{f.paper.id}", f.params) for f in forms],
        PlotText(_("Test information of the forms"), _("Ability θ"), _("Information")),
        _("Standard error (dashed)"),
    )
    return render_template("papers/compare.html", paper=paper, forms=forms, chart=chart)


@bp.route("/<int:paper_id>/items/<int:position>/swap", methods=["GET", "POST"])
@roles_required(Role.EXAMINER)
def swap(paper_id: int, position: int):  # type: ignore[no-untyped-def]
    paper = records.get_paper(db.session, paper_id, _user())
    records.require_change(paper, _user())
    result = None
    if request.method == "POST":
        origin = (
            ItemOrigin.SUGGESTED if request.form.get("origin") == "suggested" else ItemOrigin.MANUAL
        )
        try:
            result = swapping.swap_item(
                db.session, paper, position, request.form.get("uid", "")[:80], _user(),
                confirm=bool(request.form.get("confirm")), origin=origin,
            )  # fmt: skip
        except QbankError as exc:
            db.session.rollback()
            flash(describe(exc), "error")
            return redirect(url_for("papers.swap", paper_id=paper.id, position=position))
        if result.applied:
            db.session.commit()
            flash(
                _("Question %(uid)s is now number %(n)s.", uid=result.uid, n=position),
                "warning" if result.violations else "success",
            )
            return redirect(url_for("papers.detail", paper_id=paper.id, _anchor=f"item-{position}"))
    suggestions = swapping.suggest_replacements(db.session, paper, position)
    return render_template(
        "papers/swap.html", paper=paper, position=position, s=suggestions, result=result,
        sections=all_sections(db.session),
    ), (200 if result is None else 409)  # fmt: skip


@bp.post("/<int:paper_id>/publish")
@roles_required(Role.EXAMINER)
def publish(paper_id: int):  # type: ignore[no-untyped-def]
    paper = records.get_paper(db.session, paper_id, _user())
    try:
        n = records.publish_paper(
            db.session, paper, _user(), confirm=bool(request.form.get("confirm"))
        )
    except QbankError as exc:
        db.session.rollback()
        flash(describe(exc), "error")
        return redirect(url_for("papers.detail", paper_id=paper.id))
    db.session.commit()
    flash(_("Published. The paper and its question versions are now fixed."), "success")
    if n:
        flash(_("Published with %(n)s rule violation(s).", n=n), "warning")
    return redirect(url_for("papers.detail", paper_id=paper.id))


@bp.post("/<int:paper_id>/discard")
@roles_required(Role.EXAMINER)
def discard(paper_id: int):  # type: ignore[no-untyped-def]
    paper = records.get_paper(db.session, paper_id, _user())
    records.discard_paper(db.session, paper, _user())
    db.session.commit()
    flash(_("The draft was discarded."), "info")
    return redirect(url_for("papers.index"))


@bp.get("/<int:paper_id>/export/<kind>.<fmt_>")
@roles_required(*READERS)
def export(paper_id: int, kind: str, fmt_: str):  # type: ignore[no-untyped-def]
    paper = records.get_paper(db.session, paper_id, _user())
    return downloads.as_response(downloads.render_document(db.session, paper, kind, fmt_))


@bp.get("/coverage")
@roles_required(*COVERAGE_READERS)
def coverage_page():  # type: ignore[no-untyped-def]
    specialties = list_specialties(db.session)
    levels = list_levels(db.session)
    codes = [s.code for s in specialties]
    specialty = request.args.get("specialty") if request.args.get("specialty") in codes else None
    level = (
        request.args.get("level")
        if request.args.get("level") in {lv.code for lv in levels}
        else None
    )
    specialty = specialty or (codes[0] if codes else "")
    level = level or "intermediate"
    forms = _int(request.args.get("forms"), 2, 1, 5)
    report = (
        coverage.coverage_report(db.session, specialty, level, forms=forms) if specialty else None
    )
    return render_template(
        "papers/coverage.html", report=report, specialties=specialties, levels=levels,
        specialty=specialty, level=level, forms=forms,
    )  # fmt: skip


@bp.app_template_filter("print_markdown")
def print_markdown_filter(text: str, suffix: str = "", prefix: str = "") -> Any:
    return print_html(text or "", suffix, prefix)


@bp.app_template_filter("print_inline")
def print_inline_filter(text: str) -> Any:
    return print_inline(text or "")


@bp.app_template_filter("plain")
def plain_filter(text: str) -> str:
    return plain_text(text or "")


@bp.app_template_global("fmt")
def fmt_global(value: float | None) -> str:
    return fmt(value)
