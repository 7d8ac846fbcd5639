"""The console's HTML shells. Data arrives as JSON and is put on the page by the scripts in
static/console/ with textContent only, so nothing a customer wrote is ever parsed as HTML."""

from __future__ import annotations

from html import escape

from memory.api.staff import StaffMember
from bot.accounts.pages import layout

STATIC = "/console/static"
# Plain scripts, run in this order (deferred): common.js first, then the parts of each page;
# queue.js and conversation.js each start their own page. They share window.RapportConsole.
SCRIPTS = tuple(f"{STATIC}/console/{name}.js"
                for name in ("common", "suggestions", "profile", "queue", "conversation"))


def _header(member: StaffMember, csrf_token: str, title: str) -> str:
    return (
        '<header class="bar"><a class="brand" href="/console">Rapport console</a>'
        f"<h1>{escape(title)}</h1>"
        f'<span class="who">{escape(member.display_name)} · {escape(member.role)}</span>'
        '<form method="post" action="/staff/logout">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf_token)}">'
        '<button type="submit" class="link">Sign out</button></form></header>'
        '<p id="status" class="status" role="status" aria-live="polite"></p>'
    )


def queue_page(member: StaffMember, csrf_token: str) -> str:
    body = _header(member, csrf_token, "Queue") + (
        '<main class="queue">'
        '<section aria-labelledby="waiting-title"><h2 id="waiting-title">Waiting '
        '<span id="waiting-count" class="count">0</span></h2>'
        '<table id="waiting" class="list"><thead><tr><th>#</th><th>Customer</th><th>Why</th>'
        "<th>Value</th><th>Severity</th><th>Channel</th><th>Waiting</th><th></th></tr></thead>"
        "<tbody></tbody></table>"
        '<p id="waiting-empty" class="empty">Nobody is waiting.</p></section>'
        '<section aria-labelledby="active-title"><h2 id="active-title">With an agent '
        '<span id="active-count" class="count">0</span></h2>'
        '<table id="active" class="list"><thead><tr><th>Customer</th><th>Agent</th><th>Channel</th>'
        "<th>Since</th><th></th></tr></thead><tbody></tbody></table></section>"
        '<section aria-labelledby="follow-ups-title"><h2 id="follow-ups-title">Follow-ups promised '
        "outside staffed hours</h2>"
        '<table id="follow-ups" class="list"><thead><tr><th>Customer</th><th>Asked</th><th>Complaint</th>'
        "<th>Channel</th><th>Promised from</th></tr></thead><tbody></tbody></table></section>"
        "</main>"
    )
    return layout("Queue", body, csrf_token=csrf_token, page="queue",
                  scripts=SCRIPTS, styles=(f"{STATIC}/console.css",),
                  data={"me": str(member.id)})


def conversation_page(member: StaffMember, csrf_token: str, handoff_id: int) -> str:
    body = _header(member, csrf_token, "Conversation") + (
        '<main class="conversation">'
        '<section class="talk" aria-label="Conversation">'
        '<div id="handoff-summary" class="summary"></div>'
        '<div class="actions" id="actions">'
        '<button id="claim" type="button">Claim</button>'
        '<label>Transfer to <select id="transfer-to"></select></label>'
        '<button id="transfer" type="button">Transfer</button>'
        '<button id="hand-back" type="button">Hand back to the bot</button>'
        '<input id="resolve-summary" aria-label="Resolution summary" placeholder="Summary (optional)">'
        '<button id="resolve" type="button">Resolve</button></div>'
        '<section id="suggestions" class="suggestions" aria-labelledby="suggestions-title" hidden>'
        '<h3 id="suggestions-title">Found in the customer\'s words</h3>'
        '<ul id="suggestion-list" aria-live="polite"></ul></section>'
        '<ol id="transcript" class="transcript" aria-live="polite" aria-label="Transcript"></ol>'
        '<form id="reply-form" class="composer">'
        '<label for="canned">Canned reply</label><select id="canned"><option value="">—</option></select>'
        '<label for="reply-text">Reply to the customer</label>'
        '<textarea id="reply-text" rows="3" required></textarea>'
        '<button type="submit">Send</button></form>'
        '<form id="note-form" class="composer note">'
        '<label for="note-text">Internal note (never shown to the customer)</label>'
        '<textarea id="note-text" rows="2" required></textarea>'
        '<button type="submit">Add note</button></form>'
        '<h3>Internal notes</h3><ol id="notes" class="notes"></ol>'
        "</section>"
        '<aside class="profile" id="profile" aria-label="Customer profile"></aside>'
        "</main>"
    )
    return layout("Conversation", body, csrf_token=csrf_token, page="conversation",
                  scripts=SCRIPTS, styles=(f"{STATIC}/console.css",),
                  data={"me": str(member.id), "handoff": str(handoff_id)})
