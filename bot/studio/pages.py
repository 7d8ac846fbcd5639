"""The studio's HTML shells. The scripts in static/studio/ fill them from the JSON API, with
textContent only."""

from __future__ import annotations

from html import escape

from memory.api.staff import StaffMember
from bot.accounts.pages import layout

STATIC = "/studio/static"
# Plain scripts, run in this order (deferred): the shared helpers and the draft bar, one file
# per page (each adds itself to window.RapportStudio.pages), then start.js starts this page's.
SCRIPTS = (f"{STATIC}/yaml-highlight.js",) + tuple(
    f"{STATIC}/studio/{name}.js" for name in (
        "common", "draft", "overview", "responses", "offers", "files", "preview", "history", "start"))
NAV = (
    ("overview", "/studio", "Overview"), ("responses", "/studio/responses", "Responses"),
    ("offers", "/studio/offers", "Offers"), ("files", "/studio/files", "YAML"),
    ("preview", "/studio/preview", "Preview"), ("history", "/studio/history", "History"),
)


def _frame(member: StaffMember, csrf_token: str, page: str, title: str, main: str) -> str:
    current = ' aria-current="page"'
    links = "".join(
        f'<a href="{href}"{current if key == page else ""}>{escape(label)}</a>'
        for key, href, label in NAV
    )
    body = (
        '<header class="bar"><a class="brand" href="/studio">Rapport studio</a>'
        f'<nav aria-label="Studio">{links}</nav>'
        f'<span class="who">{escape(member.display_name)} · {escape(member.role)}</span>'
        '<form method="post" action="/staff/logout">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf_token)}">'
        '<button type="submit" class="link">Sign out</button></form></header>'
        '<section id="draft-bar" class="draft-bar" aria-label="Your draft">'
        '<div class="summary"><strong>Your draft:</strong> <span id="draft-summary">loading…</span>'
        ' <span id="rasa-state" class="muted"></span></div>'
        '<form id="publish-form" class="publish">'
        '<label for="publish-message">What does this change do?</label>'
        '<input id="publish-message" name="message" maxlength="200" '
        'placeholder="e.g. Warmer greeting for top customers">'
        '<button id="publish" type="submit">Publish</button>'
        '<button id="discard" type="button" class="secondary">Discard draft</button></form>'
        '<div id="job" class="job" hidden><progress id="job-progress" max="1" value="0"></progress>'
        '<span id="job-step"></span></div>'
        '<ul id="publish-problems" class="problems" aria-live="polite"></ul></section>'
        '<p id="status" class="status" role="status" aria-live="polite"></p>'
        f"<main class=\"studio {escape(page)}\">{main}</main>"
    )
    return layout(title, body, csrf_token=csrf_token, page=f"studio-{page}",
                  scripts=SCRIPTS,
                  styles=(f"{STATIC}/studio.css",))


def overview_page(member: StaffMember, csrf_token: str) -> str:
    main = (
        '<section><h1>Overview</h1><div id="code-update" class="notice" hidden><p>A new release '
        "of the code changed the bot's files after marketers had published here, so the live "
        "version was kept. Bring the release's changes into your draft, check them, and "
        "publish.</p><button id=\"bring-in-code\" type=\"button\" class=\"secondary\">Bring the "
        "release into my draft</button></div>"
        '<dl class="facts"><dt>Live version</dt><dd id="live-version"></dd>'
        "<dt>Your draft</dt><dd id=\"draft-state\"></dd></dl>"
        '<h2>Changed in your draft</h2><ul id="changed" class="plain"></ul>'
        '<h2>Problems</h2><p class="muted">Errors marked <em>new</em> stop a publish; the '
        "others are already in the live version.</p>"
        '<ul id="problems" class="problems"></ul></section>'
    )
    return _frame(member, csrf_token, "overview", "Studio", main)


def responses_page(member: StaffMember, csrf_token: str) -> str:
    main = (
        '<aside class="list-pane"><label for="response-filter">Find a response</label>'
        '<input id="response-filter" type="search" placeholder="welcome, goodbye…">'
        '<ul id="response-list" class="pick"></ul>'
        '<form id="new-response"><label for="new-response-name">New response</label>'
        '<input id="new-response-name" placeholder="utter_something" pattern="utter_[a-z0-9_]+">'
        '<button type="submit" class="secondary">Add</button></form></aside>'
        '<section class="edit-pane" aria-live="polite"><h1 id="response-name">Responses</h1>'
        '<p class="muted">Wording changes go live the moment you publish, without retraining. '
        "A variation with conditions is used when all of them hold (e.g. value_tier is top); "
        "otherwise the variations without conditions are used. Write {first_name} to fill in "
        "a slot.</p>"
        '<div id="variations"></div>'
        '<p><button id="add-variation" type="button" class="secondary" hidden>Add a variation'
        '</button> '
        '<button id="save-response" type="button" hidden>Save to draft</button></p></section>'
    )
    return _frame(member, csrf_token, "responses", "Responses", main)


def offers_page(member: StaffMember, csrf_token: str) -> str:
    main = (
        '<section class="wide"><h1>Offers and targeting</h1>'
        '<p class="muted">Offers go live without retraining. An offer is shown only to customers '
        "who gave consent for its purpose, who match its eligibility, and not again within the "
        "re-offer pause after they declined it.</p><div id=\"offers\"></div>"
        '<p><button id="add-offer" type="button" class="secondary">Add an offer</button> '
        '<button id="save-offers" type="button">Save to draft</button></p></section>'
    )
    return _frame(member, csrf_token, "offers", "Offers", main)


def files_page(member: StaffMember, csrf_token: str) -> str:
    main = (
        '<aside class="list-pane"><h2>Files</h2><ul id="file-list" class="pick"></ul>'
        '<form id="new-file"><label for="new-file-name">New file</label>'
        '<input id="new-file-name" placeholder="data/rules/sales.yml">'
        '<button type="submit" class="secondary">Create</button>'
        "</form></aside>"
        '<section class="edit-pane"><h1 id="file-name">YAML</h1>'
        '<p class="muted">Intents, examples, rules, stories and forms need retraining; the studio '
        "trains when you publish. Ctrl+S saves.</p>"
        '<div class="code-editor" id="code-editor">'
        '<pre class="gutter" id="gutter" aria-hidden="true"></pre>'
        '<pre class="highlight" id="highlight" aria-hidden="true"></pre>'
        '<textarea id="code" spellcheck="false" aria-label="File content" wrap="off"></textarea>'
        "</div>"
        '<p><button id="save-file" type="button">Save to draft</button> '
        '<button id="delete-file" type="button" class="secondary">Delete file</button></p>'
        '<h2>Problems in this file</h2><ul id="file-problems" class="problems"></ul></section>'
    )
    return _frame(member, csrf_token, "files", "YAML", main)


def preview_page(member: StaffMember, csrf_token: str) -> str:
    main = (
        '<section class="wide"><h1>Preview your draft</h1>'
        '<form id="preview-form" class="inline"><label>Value tier <select id="preview-tier">'
        '<option>new</option><option selected>standard</option><option>top</option></select>'
        '</label><label>Channel <select id="preview-channel"><option selected>web</option>'
        "<option>telegram</option>"
        '<option>api</option></select></label>'
        '<label>First name <input id="preview-name" maxlength="40" placeholder="(a new customer)">'
        "</label>"
        '<button type="submit">Start a preview</button></form>'
        '<div id="preview-job" class="job" hidden>'
        '<progress id="preview-progress" max="1" value="0"></progress>'
        '<span id="preview-step"></span></div>'
        '<ol id="preview-transcript" class="transcript" aria-live="polite"></ol>'
        '<form id="preview-say" class="composer">'
        '<label for="preview-text">Say something as the customer</label>'
        '<input id="preview-text" autocomplete="off" disabled>'
        '<button type="submit" disabled>Send</button></form>'
        "</section>"
    )
    return _frame(member, csrf_token, "preview", "Preview", main)


def history_page(member: StaffMember, csrf_token: str) -> str:
    main = (
        '<section class="wide"><h1>History</h1>'
        '<table id="versions" class="list"><thead><tr><th>Version</th><th>When</th><th>Who</th>'
        "<th>What</th>"
        "<th>Kind</th><th>Files</th><th></th></tr></thead><tbody></tbody></table>"
        '<h2 id="diff-title">Changes</h2>'
        '<pre id="diff" class="diff">Pick a version to see what it changed.</pre>'
        '<h2>Audit log</h2><table id="audit" class="list"><thead><tr><th>When</th><th>Who</th>'
        "<th>Did</th>"
        "<th>Details</th></tr></thead><tbody></tbody></table></section>"
    )
    return _frame(member, csrf_token, "history", "History", main)
