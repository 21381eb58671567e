"""Settings: environment first, then secrets.toml; entities from a TOML file; secrets never shown."""

import pytest

from core.config import DEFAULT_PENNYLANE_URL, ConfigError, load_settings


def test_no_token_means_the_demo(tmp_path):
    settings = load_settings(env={}, root=tmp_path)
    assert settings.demo and settings.entities == () and settings.sync_every_minutes == 15


def test_a_single_token_from_secrets_toml_and_env_overrides(tmp_path):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        'PENNYLANE_API_TOKEN = "from-secrets"\nENCOURS_SYNC_MINUTES = 30\n'
    )
    settings = load_settings(env={"ENCOURS_SYNC_MINUTES": "5"}, root=tmp_path)
    (entity,) = settings.entities
    assert entity.token.reveal() == "from-secrets" and entity.api_url == DEFAULT_PENNYLANE_URL
    assert settings.sync_every_minutes == 5
    assert "from-secrets" not in repr(settings) and "from-secrets" not in str(entity)


def test_several_entities_from_a_toml_file(tmp_path):
    path = tmp_path / "entities.toml"
    path.write_text(
        '[[entities]]\nentity_id = "nord"\nname = "Nord SAS"\ntoken = "t1"\n'
        '[[entities]]\nentity_id = "sud"\nname = "Sud SAS"\ntoken = "t2"\nurl = "http://127.0.0.1:9/api/external/v2/"\n'
    )
    settings = load_settings(env={"ENCOURS_ENTITIES": str(path)}, root=tmp_path)
    assert [e.entity_id for e in settings.entities] == ["nord", "sud"]
    assert settings.entities[1].api_url == "http://127.0.0.1:9/api/external/v2"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[[entities]]\nentity_id = "nord"\n', "clés manquantes : name, token"),
        ('[[entities]]\nentity_id = "Nord Est"\nname = "x"\ntoken = "t"\n', "entity_id « Nord Est » invalide"),
        ("", "aucune entité"),
    ],
)
def test_a_bad_entities_file_names_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "entities.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(env={"ENCOURS_ENTITIES": str(path)}, root=tmp_path)


def test_a_non_integer_setting_names_the_keys(tmp_path):
    with pytest.raises(ConfigError, match="ENCOURS_SYNC_MINUTES"):
        load_settings(env={"ENCOURS_SYNC_MINUTES": "souvent"}, root=tmp_path)


def test_publish_thresholds_are_percentages_with_a_one_percent_default(tmp_path):
    default = load_settings(env={}, root=tmp_path)
    assert default.max_rejected_share == default.max_gap_share == 0.01
    set_ = load_settings(env={"ENCOURS_MAX_REJECTED_PERCENT": "2,5", "ENCOURS_MAX_GAPS_PERCENT": "0"}, root=tmp_path)
    assert set_.max_rejected_share == 0.025 and set_.max_gap_share == 0.0
    with pytest.raises(ConfigError, match="ENCOURS_MAX_GAPS_PERCENT"):
        load_settings(env={"ENCOURS_MAX_GAPS_PERCENT": "beaucoup"}, root=tmp_path)


def test_no_smtp_host_means_the_embedded_server(tmp_path):
    mail = load_settings(env={}, root=tmp_path).mail
    assert mail.embedded and (mail.host, mail.smtp_port, mail.security) == ("127.0.0.1", 8025, "none")
    assert mail.mail_from == "relances@encours.example"


def test_a_real_smtp_server_defaults_to_starttls_on_587_and_hides_its_password(tmp_path):
    env = {
        "ENCOURS_SMTP_HOST": "smtp.example.com",
        "ENCOURS_SMTP_USER": "relances",
        "ENCOURS_SMTP_PASSWORD": "pa55word",
        "ENCOURS_MAIL_FROM": "relances@verdier.example",
    }
    settings = load_settings(env=env, root=tmp_path)
    mail = settings.mail
    assert not mail.embedded and (mail.host, mail.smtp_port, mail.security) == ("smtp.example.com", 587, "starttls")
    assert mail.password is not None and mail.password.reveal() == "pa55word"
    assert "pa55word" not in repr(settings) and "pa55word" not in str(mail)
    tls = load_settings(env={**env, "ENCOURS_SMTP_SECURITY": "TLS"}, root=tmp_path).mail
    assert (tls.security, tls.smtp_port) == ("tls", 465)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ENCOURS_SMTP_SECURITY": "ssl"}, "ENCOURS_SMTP_SECURITY doit valoir none, starttls ou tls"),
        ({"ENCOURS_SMTP_HOST": "smtp.example.com"}, "ENCOURS_MAIL_FROM"),
        ({"ENCOURS_SMTP_PORT": "x"}, "ENCOURS_SMTP_PORT doit être un nombre entier"),
    ],
)
def test_bad_smtp_settings_are_named(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(env=env, root=tmp_path)
