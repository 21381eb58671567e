import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Debian's chromium is required for the browser tests (`make browser` installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    pg = context.new_page()
    yield pg
    context.close()


def try_as(page, role_label: str, *, timeout: int = 20_000) -> None:
    """On the demo's sign-in page, click "try as <role>" (the button's label starts with the role)."""
    import re

    page.get_by_text("Connexion à Encours").first.wait_for(timeout=timeout)
    page.get_by_role("button", name=re.compile("^" + re.escape(role_label))).first.click()
