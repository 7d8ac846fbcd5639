"""HTML for the staff pages that have no JavaScript: sign-in, and access refused.

Built with html.escape on every interpolated value; no template engine is needed.
"""

from __future__ import annotations

from html import escape

from memory.api.staff import StaffMember

STATIC = "/staff/static"


def layout(title: str, body: str, *, csrf_token: str = "", scripts: tuple[str, ...] = (),
           styles: tuple[str, ...] = (), page: str = "", data: dict[str, str] | None = None) -> str:
    """The frame of every staff page. `body` must already be escaped HTML."""
    script_tags = "".join(f'<script src="{escape(src)}" defer></script>' for src in scripts)
    style_tags = "".join(f'<link rel="stylesheet" href="{escape(href)}">' for href in styles)
    attributes = "".join(f' data-{escape(k)}="{escape(v)}"' for k, v in (data or {}).items())
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<meta name=\"csrf-token\" content=\"{escape(csrf_token)}\">"
        f"<title>{escape(title)} · Rapport staff</title>"
        f"<link rel=\"stylesheet\" href=\"{STATIC}/staff.css\">{style_tags}{script_tags}</head>"
        f"<body data-page=\"{escape(page)}\"{attributes}>{body}</body></html>"
    )


def login_page(*, form_token: str, next_path: str, error: str = "", username: str = "") -> str:
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        '<main class="login"><h1>Rapport staff sign-in</h1>'
        f'{alert}<form method="post" action="/staff/login">'
        f'<input type="hidden" name="csrf_token" value="{escape(form_token)}">'
        f'<input type="hidden" name="next" value="{escape(next_path)}">'
        '<label for="username">Username</label>'
        f'<input id="username" name="username" autocomplete="username" required value="{escape(username)}">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required>'
        '<button type="submit">Sign in</button></form></main>'
    )
    return layout("Sign in", body)


def forbidden_page(member: StaffMember) -> str:
    body = (
        '<main class="login"><h1>No access</h1>'
        f"<p>You are signed in as {escape(member.display_name)} ({escape(member.role)}). "
        "Your role does not give access to this page.</p>"
        '<p><a href="/console">Go to the console</a></p></main>'
    )
    return layout("No access", body)
