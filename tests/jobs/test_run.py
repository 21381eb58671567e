"""`make run` tells a newcomer how to sign in to the demo company."""

from jobs.run import demo_sign_in_help
from tests.support.stores import seeded_store


def test_make_run_prints_one_demo_profile_per_role_and_the_address(tmp_path):
    text = demo_sign_in_help(seeded_store(tmp_path), 8501)
    assert "http://127.0.0.1:8501" in text and "Essayer en tant que" in text
    assert "Administrateur : Ada Admin <admin@verdier.example>" in text
    assert "Directeur d'agence : Paul Directeur <dir.paris@verdier.example>" in text
    assert "Chargé de clientèle : Bob Rep <rep.b@verdier.example>" in text
