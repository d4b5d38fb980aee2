"""Settings come from the environment first, then instance/config.py, then defaults."""
from eis_toolkit.config import load


def test_defaults_use_sqlite_in_the_instance_folder_and_generate_a_secret_key(tmp_path):
    settings = load(tmp_path, environ={})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'eis.sqlite'}"
    assert len(settings["SECRET_KEY"]) == 64
    assert load(tmp_path, environ={})["SECRET_KEY"] == settings["SECRET_KEY"], "the key is kept"
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0, "only the owner reads the key"
    assert settings["EIS_UPLOAD_DIR"] == str(tmp_path / "uploads")


def test_instance_config_file_is_read(tmp_path):
    (tmp_path / "config.py").write_text(
        "DATABASE_URL = 'postgresql+psycopg://db/eis'\nSECRET_KEY = 'from-file'\nUPLOAD_DIR = '/srv/up'\n")
    settings = load(tmp_path, environ={})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/eis"
    assert settings["SECRET_KEY"] == "from-file"
    assert settings["EIS_UPLOAD_DIR"] == "/srv/up"
    assert not (tmp_path / "secret_key").exists()


def test_environment_wins_over_the_instance_file(tmp_path):
    (tmp_path / "config.py").write_text("DATABASE_URL = 'sqlite:///file.db'\nSECRET_KEY = 'from-file'\n")
    settings = load(tmp_path, environ={"EIS_DATABASE_URL": "sqlite:///env.db", "EIS_SECRET_KEY": "from-env",
                                       "EIS_UPLOAD_DIR": "/tmp/env-uploads", "EIS_MAX_UPLOAD_MB": "5"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:///env.db"
    assert settings["SECRET_KEY"] == "from-env"
    assert settings["EIS_UPLOAD_DIR"] == "/tmp/env-uploads"
    assert settings["EIS_MAX_UPLOAD_MB"] == 5.0
