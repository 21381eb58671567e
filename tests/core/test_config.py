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
