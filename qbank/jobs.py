"""Background jobs for work that takes longer than a request should: import previews of large
files, the bank-wide duplicates report. A job is a database row (so any instance can show its
progress) run by a thread of the instance that started it."""

from __future__ import annotations

import datetime as dt
import threading
import traceback
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from qbank.db import db, utcnow
from qbank.errors import NotFoundError


class Job(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.finished else 0)


Progress = Callable[[int, int, str], None]
Work = Callable[[Session, Job, Progress], dict[str, Any]]


def create_job(
    session: Session, kind: str, user_id: int | None, params: dict[str, Any] | None = None
) -> Job:
    job = Job(kind=kind, user_id=user_id, params=params or {}, status="queued", created_at=utcnow())
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int, user_id: int | None = None) -> Job:
    job = session.get(Job, job_id)
    if job is None or (user_id is not None and job.user_id != user_id):
        raise NotFoundError("job_not_found")
    return job


def latest_job(session: Session, kind: str) -> Job | None:
    return session.scalar(select(Job).where(Job.kind == kind).order_by(Job.id.desc()).limit(1))


def run_job(app: Flask, job_id: int, work: Work) -> None:
    """Run `work` for the job in this thread with its own session; record progress and result."""
    with app.app_context():
        session = db.session
        job = session.get(Job, job_id)
        if job is None:
            return
        job.status = "running"
        session.commit()
        last = [0.0]

        def progress(done: int, total: int, message: str = "") -> None:
            now = dt.datetime.now().timestamp()
            if now - last[0] < 0.5 and done < total:
                return  # at most two progress writes a second
            last[0] = now
            with Session(db.engine) as side:  # progress is visible while the work runs
                row = side.get(Job, job_id)
                if row is not None:
                    row.done, row.total, row.message = done, total, message[:500]
                    side.commit()

        try:
            result = work(session, job, progress)
        except Exception as exc:
            session.rollback()
            job = session.get(Job, job_id)
            assert job is not None
            job.status, job.message = "failed", f"{type(exc).__name__}: {exc}"[:2000]
            job.result = {"traceback": traceback.format_exc()[-4000:]}
        else:
            job = session.get(Job, job_id)
            assert job is not None
            job.status, job.result = "done", result
            job.done = job.total or job.done
        job.finished_at = utcnow()
        session.commit()
        db.session.remove()


def start_in_background(app: Flask, job_id: int, work: Work, wait: bool = False) -> None:
    """Start the job on a daemon thread (`wait` runs it inline: tests and the CLI)."""
    if wait:
        run_job(app, job_id, work)
        return
    thread = threading.Thread(
        target=run_job, args=(app, job_id, work), daemon=True, name=f"qbank-job-{job_id}"
    )
    thread.start()
