"""The `crm request` sub-commands (open | status | remind), mirroring the Data requests page.
Links are never printed (terminals and CI logs keep what they print): `remind` e-mails them,
or writes them into a mail-merge workbook with --links."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from crm.commands import acting_actor, open_session
from crm.config import get_settings
from crm.portal import reminders, requests
from crm.services.company_views import CompanyFilters
from crm.services.outcomes import FIGURE_FIELDS

STATUS_ORDER = (
    "asked",
    "not_started",
    "draft",
    "submitted",
    "changes_requested",
    "accepted",
    "overdue",
)


def cmd_open(args: argparse.Namespace) -> int:
    fields = tuple(f.strip() for f in args.fields.split(",")) if args.fields else FIGURE_FIELDS
    with open_session() as s:
        actor = acting_actor(s, args)
        if args.company:
            ids = list(args.company)
        else:
            filters = CompanyFilters(
                industries=tuple(args.industry or ()),
                cohort_year=args.cohort,
                search=args.search or "",
            )
            ids = requests.company_ids_matching(s, actor, filters)
        request_id = requests.open_request(
            s,
            actor,
            requests.NewRequest(
                year=args.year,
                quarter=args.quarter,
                due_on=date.fromisoformat(args.due),
                company_ids=tuple(ids),
                fields=fields,
            ),
        )
    print(
        f"Opened data request #{request_id} for {args.year} Q{args.quarter}: {len(ids)} companies"
    )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with open_session() as s:
        actor = acting_actor(s, args)
        if args.id is None:
            for r in requests.list_requests(s, actor):
                print(f"#{r.id}  {r.year} Q{r.quarter}  due {r.due_on.isoformat()}")
            return 0
        queue = requests.review_queue(s, actor, args.id, page_size=1)
    r = queue.request
    print(f"Data request #{r.id}: {r.year} Q{r.quarter}, due {r.due_on.isoformat()}")
    for key in STATUS_ORDER:
        print(f"{key:<18} {queue.counts.get(key, 0):>7}")
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    with open_session() as s:
        actor = acting_actor(s, args)
        if args.links:
            target = Path(args.links)
            if target.suffix.lower() != ".xlsx":
                raise ValueError("--links must name an .xlsx file")
            fresh = reminders.issue_links(s, actor, args.id)
            target.write_bytes(
                reminders.mail_merge_workbook(requests.get_request(s, args.id), fresh, args.lang)
            )
            print(f"Wrote {len(fresh)} new links to {target} (earlier links no longer open)")
            return 0
        if not get_settings().smtp_url:
            raise ValueError(
                "no SMTP server configured: set CRM_SMTP_URL, or pass --links FILE.xlsx "
                "for a mail merge"
            )
        result = reminders.send_reminders(s, actor, args.id)
    print(
        f"Sent {len(result.sent)} reminders; failed {len(result.failed)}; "
        f"no e-mail address {len(result.no_email)}"
    )
    return 0 if not result.failed else 1


def register(sub: Any) -> None:
    """Add this package's sub-commands to the `crm` parser (`sub` is argparse's subparsers)."""
    rq = sub.add_parser("request", help="data requests: companies report their outcomes")
    cmds = rq.add_subparsers(dest="cmd", required=True)
    op = cmds.add_parser("open", help="ask companies for a quarter's figures")
    op.add_argument("--year", type=int, required=True)
    op.add_argument("--quarter", type=int, required=True)
    op.add_argument("--due", required=True, help="due date, YYYY-MM-DD")
    op.add_argument("--fields", help="comma-separated figures (default: all)")
    op.add_argument("--company", type=int, action="append", help="company id (repeatable)")
    op.add_argument("--cohort", type=int, help="companies of this cohort year")
    op.add_argument("--industry", action="append", help="industry code (repeatable)")
    op.add_argument("--search", help="company name contains")
    op.set_defaults(func=cmd_open)
    st = cmds.add_parser("status", help="requests, or one request's counts per status")
    st.add_argument("--id", type=int)
    st.set_defaults(func=cmd_status)
    rm = cmds.add_parser("remind", help="e-mail fresh links to companies that have not submitted")
    rm.add_argument("--id", type=int, required=True)
    rm.add_argument("--links", help="write the links to this .xlsx for a mail merge instead")
    rm.add_argument("--lang", choices=("ko", "en"), default="ko")
    rm.set_defaults(func=cmd_remind)
