"""Who is using this browser tab: the sign-in page, the signed-in frame, sign-out.

Three ways in, one outcome (a `Scope` built in core/):
- a local account (e-mail and password, core.access.accounts): the browser keeps an opaque
  session token in a cookie; every page run checks it against the operational store's
  sessions, so sign-out, a password change or a deactivation end every open tab at its next
  run, and a reload or a new tab stays signed in until then;
- the company's identity provider (OpenID Connect through `st.login`) when `[auth]` is
  configured, mapped to a user by e-mail (core.access.oidc), which then opens the same kind of
  session, so sign-out ends it in every tab although Streamlit keeps `st.user` in each tab
  until it reconnects;
- the demo company only: "try as …", one user per role.

The cookie is written by a one-line script (`st.html`, which runs in the page). Kept
components were evaluated: streamlit-authenticator's cookie is a JWT that sign-out cannot
revoke, and extra-streamlit-components' CookieManager sets the same script-readable cookie
with an extra dependency and a second run to read it back; `st.context.cookies` reads ours on
the first run after a reload. What makes the session safe is the server side: a random token,
stored hashed, expiring, revocable.
"""

from __future__ import annotations

import streamlit as st

from core import formatting
from core.access import signin
from core.access.accounts import SignInRefused
from core.access.passwords import WeakPassword
from core.access.permissions import role_label
from core.config import Settings
from core.scope import Scope, UnknownUser, scope_of
from core.store.paths import StorePaths

COOKIE = "encours_session"
_TOKEN = "encours.session_token"
_MUST_CHANGE = "encours.must_change_password"
_REFUSAL = "encours.signin_refusal"


def current_scope(settings: Settings, paths: StorePaths) -> Scope | None:
    """The signed-in user's scope, or None; renders nothing and never stops the run."""
    token = st.session_state.get(_TOKEN) or _cookie()
    claims = st.user.to_dict() if st.user.get("is_logged_in") else None
    try:
        signed = signin.signed_in(paths, token, claims, now=formatting.paris_now(), policy=settings.access)
    except SignInRefused as refusal:
        signed = None
        st.session_state[_REFUSAL] = str(refusal)
    if signed is None:
        st.session_state.pop(_TOKEN, None)
        return None
    # Restored from the cookie (a reload, a new tab) or just opened by a provider sign-in.
    st.session_state[_TOKEN] = signed.token
    try:
        return scope_of(paths, signed.email)
    except UnknownUser:
        return None


def sign_in_page(settings: Settings, paths: StorePaths) -> None:
    """The only thing an unsigned visitor sees; stops the run."""
    if _cookie():  # expired or revoked: forget it in the browser too
        _write_cookie("", max_age=0)
    st.title("Connexion à Encours")
    refusal = st.session_state.pop(_REFUSAL, None)
    if refusal:
        st.error(refusal)
        if st.user.get("is_logged_in"):
            st.button("Se déconnecter du fournisseur d'identité", key="signin.oidc_logout", on_click=st.logout)
    pending = st.session_state.get(_MUST_CHANGE)
    if pending:
        _password_change_form(settings, paths, pending)
    else:
        _password_form(settings, paths)
        if _oidc_configured():
            st.divider()
            st.button("Se connecter avec le compte de l'entreprise", key="signin.oidc", on_click=st.login)
        if settings.demo:
            _try_as(settings, paths)
    st.stop()


def signed_in_frame(settings: Settings, paths: StorePaths, scope: Scope) -> None:
    """Sidebar: who is signed in, sign-out; keeps the browser's cookie in step with the session."""
    token = st.session_state.get(_TOKEN)
    if token and _cookie() != token:
        _write_cookie(token, max_age=settings.access.session_hours * 3600)
    st.sidebar.caption(f"Connecté : {scope.full_name or scope.email} — {role_label(scope.role)}")
    if st.sidebar.button("Se déconnecter", key="signin.logout"):
        sign_out(paths)


def sign_out(paths: StorePaths) -> None:
    """End this session everywhere it is open (the row goes), forget it here, and start over."""
    signin.sign_out(paths, st.session_state.pop(_TOKEN, None) or _cookie())
    _write_cookie("", max_age=0)
    if st.user.get("is_logged_in"):
        # st.logout() queues the browser's redirect to /auth/logout (the identity cookie goes,
        # then the provider's own sign-out). A rerun now would clear that queue before it is
        # sent, now and then (measured: 1 sign-out in 3), leaving the identity in the browser.
        st.logout()
        st.stop()
    st.rerun()


def _password_form(settings: Settings, paths: StorePaths) -> None:
    with st.form("signin.form"):
        email = st.text_input("Adresse e-mail", key="signin.email", autocomplete="username")
        password = st.text_input(
            "Mot de passe", type="password", key="signin.password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Se connecter", type="primary")
    if not submitted:
        return
    try:
        token = signin.with_password(paths, email, password, now=formatting.paris_now(), policy=settings.access)
    except SignInRefused as refusal:
        st.error(str(refusal))
        return
    if token is None:
        st.session_state[_MUST_CHANGE] = email.strip()
    else:
        st.session_state[_TOKEN] = token
    st.rerun()


def _password_change_form(settings: Settings, paths: StorePaths, email: str) -> None:
    st.info(f"Première connexion de {email} : choisissez votre mot de passe (12 caractères au moins).")
    with st.form("signin.change"):
        current = st.text_input("Mot de passe provisoire", type="password", key="signin.current")
        new = st.text_input("Nouveau mot de passe", type="password", key="signin.new", autocomplete="new-password")
        again = st.text_input("Confirmez-le", type="password", key="signin.again", autocomplete="new-password")
        submitted = st.form_submit_button("Enregistrer et entrer", type="primary")
    if not submitted:
        return
    if new != again:
        st.error("Les deux saisies du nouveau mot de passe diffèrent.")
        return
    try:
        token = signin.first_password(paths, email, current, new, now=formatting.paris_now(), policy=settings.access)
    except (SignInRefused, WeakPassword) as refusal:
        st.error(str(refusal))
        return
    st.session_state[_TOKEN] = token
    st.session_state.pop(_MUST_CHANGE, None)
    st.rerun()


def _try_as(settings: Settings, paths: StorePaths) -> None:
    """Demo company only: one click signs in as the first user of a role."""
    st.divider()
    st.subheader("Démonstration : essayer en tant que…")
    for role, email, name in signin.demo_profiles(paths):
        if st.button(f"{role_label(role)} — {name}", key=f"signin.demo.{role}", use_container_width=True):
            st.session_state[_TOKEN] = signin.as_demo_user(
                paths, email, now=formatting.paris_now(), policy=settings.access
            )
            st.rerun()


def _cookie() -> str | None:
    """The session cookie this tab's browser sent when it connected (None outside a browser)."""
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) and value else None


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def _write_cookie(token: str, *, max_age: int) -> None:
    # The token is URL-safe base64 (secrets.token_urlsafe): nothing to escape.
    st.html(
        f"<script>document.cookie = '{COOKIE}={token}; Path=/; Max-Age={max_age}; SameSite=Strict';</script>",
        unsafe_allow_javascript=True,
    )
