from __future__ import annotations

import logging
from collections.abc import Callable

from dmp.container import Container
from dmp.directives_record import reminders as directives_reminders
from dmp.export import services as export_services
from dmp.jobs import tasks
from dmp.linked import majority
from dmp.vaccination import reminders

log = logging.getLogger("dmp.jobs")


def run_round(container: Container) -> dict[str, int]:
    """One pass of every job; a failing job is logged and does not stop the others."""
    jobs: dict[str, Callable[[], int]] = {
        "outbox": lambda: tasks.deliver_outbox(
            container.sessions, container.dispatcher, container.clock
        ),
        "announcement_notices": lambda: tasks.announcement_notices(
            container.sessions, container.settings, container.clock
        ),
        "automatic_visibility": lambda: tasks.automatic_visibility(
            container.sessions, container.settings, container.clock
        ),
        "purges": lambda: tasks.purge_records(
            container.sessions,
            container.blobs,
            container.clock,
            default_language=container.settings.default_language,
        ),
        "vaccination_reminders": lambda: reminders.send_reminders(
            container.sessions, container.settings, container.clock
        ),
        "directives_reminders": lambda: directives_reminders.send_reminders(
            container.sessions, container.settings, container.clock
        ),
        "majority": lambda: majority.end_at_majority(
            container.sessions, container.security, container.settings
        ),
        "exports": lambda: export_services.build_exports(
            container.sessions,
            container.settings,
            container.clock,
            export_services.storage_for(container),
        ),
        "expired_exports": lambda: export_services.expire_exports(
            container.sessions, container.blobs, container.clock
        ),
        "orphan_blobs": lambda: tasks.sweep_orphan_blobs(
            container.sessions, container.blobs, container.clock
        ),
        "web_sessions": lambda: tasks.sweep_web_sessions(
            container.sessions, container.settings, container.clock
        ),
    }
    counts: dict[str, int] = {}
    for name, job in jobs.items():
        try:
            counts[name] = job()
        except Exception:
            log.exception("job %s failed", name)
            counts[name] = -1
    return counts
