"""User-facing wording of domain error codes, translated. Services raise codes (no Flask there);
the web layer shows these sentences."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from qbank.errors import QbankError

MESSAGES: dict[str, Any] = {
    "password_too_short": _l("The password must have at least %(minimum)s characters."),
    "password_is_username": _l("The password must not be the user name."),
    "invalid_username": _l("User names have 3-64 characters: letters, digits, and . _ @ - only."),
    "username_taken": _l("This user name is already taken."),
    "unknown_specialty": _l("Unknown specialty."),
    "unknown_level": _l("Unknown level."),
    "track_required": _l("Choose your specialty and level."),
    "cannot_drop_own_admin": _l("You cannot remove your own administrator role."),
    "cannot_disable_self": _l("You cannot disable your own account."),
    "wrong_password": _l("The current password is not correct."),
    "bad_credentials": _l("Wrong user name or password."),
    "account_locked": _l("Too many failed attempts: this account is locked for a few minutes."),
    "account_disabled": _l("This account has been disabled."),
    "user_not_found": _l("No such user."),
    "invalid_date": _l("Dates are written YYYY-MM-DD."),
    "invalid_eligibility_input": _l("Please check the form: %(detail)s"),
    "invalid_question": _l("The question has problems; see the list."),
    "question_id_taken": _l("A question with the ID %(uid)s already exists."),
    "question_not_found": _l("No such question."),
    "cannot_edit_question": _l("You may edit only your own questions (reviewers may edit any)."),
    "question_under_review": _l(
        "The question is under review: withdraw it or wait for the review."
    ),
    "question_type_fixed": _l("The question type cannot be changed; create a new question."),
    "invalid_transition": _l("This step is not possible for a question that is %(status)s."),
    "not_your_question": _l("Only the author or a reviewer can do this."),
    "reviewers_only": _l("Only reviewers can do this."),
    "cannot_approve_own": _l("You cannot approve your own question; another reviewer must."),
    "comment_required": _l("Say what must change when returning a question."),
    "unknown_bulk_action": _l("Unknown bulk action."),
    "tags_required": _l("Give at least one tag."),
    "unknown_section": _l("Unknown section: %(value)s."),
    "nothing_changed": _l("nothing changed"),
    "image_empty": _l("Choose an image file."),
    "image_too_large": _l("Images may be at most %(limit_kb)s KB."),
    "image_type": _l("Only %(allowed)s images can be uploaded."),
    "image_not_found": _l("No such image."),
    "storage_failed": _l("The file could not be stored (%(detail)s). Nothing was changed."),
    "empty_form": _l("The paper has no questions."),
    "attempt_not_found": _l("No such exam."),
    "attempt_item_not_found": _l("No such question in this exam."),
    "attempt_closed": _l("This exam has been handed in; answers can no longer change."),
    "bad_answer": _l("That answer does not fit question %(position)s."),
    "answer_too_long": _l("Answers may have at most %(limit)s characters."),
    "bad_idempotency_key": _l("The save request is missing its key."),
    "submit_first": _l("Hand in the exam first."),
    "not_a_short_answer": _l("Only short answers are self-assessed."),
    "score_out_of_range": _l("The score must be between 0 and %(maximum)s."),
    "no_blueprint": _l("There is no blueprint for %(specialty)s %(level)s yet."),
    "cannot_assemble": _l("The bank cannot fill this paper yet (%(status)s). Please tell an examiner."),
    "invalid_blueprint": _l("The blueprint has problems; see the list."),
    "blueprint_not_found": _l("No such blueprint."),
    "blueprint_track_fixed": _l(
        "This is the default blueprint of %(specialty)s / %(level)s: its specialty and level "
        "cannot change. Make a copy instead."
    ),
    "paper_not_found": _l("No such paper."),
    "paper_item_not_found": _l("The paper has no question number %(position)s."),
    "paper_published": _l("This paper is published and can no longer change."),
    "not_your_paper": _l("Only the examiner who assembled this draft can change it."),
    "paper_breaks_blueprint": _l(
        "The paper breaks %(count)s rule(s) of its blueprint; confirm to publish it anyway."
    ),
    "question_not_in_pool": _l("Question %(uid)s is not an approved question of this specialty."),
    "question_already_on_paper": _l("Question %(uid)s is already on the paper."),
    "assembly_infeasible": _l(
        "No paper meets the blueprint with the approved questions (%(status)s)."
    ),
    "export_not_found": _l("Papers are exported as paper, key or rubric, in pdf or docx."),
}


def describe(error: QbankError) -> str:
    template = MESSAGES.get(error.message)
    if template is None:
        return error.message
    try:
        return str(template) % error.details if "%(" in str(template) else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)
