from addon import create_app

from .conftest import APP_BASE_URL, APP_KEY


def test_descriptor_carries_config_and_contract(client):
    response = client.get("/atlassian-connect.json")
    assert response.status_code == 200
    descriptor = response.json
    assert descriptor["baseUrl"] == APP_BASE_URL
    assert descriptor["key"] == APP_KEY
    assert descriptor["authentication"] == {"type": "jwt"}
    assert descriptor["apiMigrations"] == {"signed-install": True, "context-qsh": True, "gdpr": True}
    assert descriptor["lifecycle"] == {event: f"/lifecycle/{event}"
                                       for event in ("installed", "uninstalled", "enabled", "disabled")}
    assert "READ" in descriptor["scopes"]


def test_descriptor_follows_environment(monkeypatch, app_config):
    monkeypatch.setenv("APP_BASE_URL", "https://tunnel.example.test/prefix/")
    monkeypatch.setenv("APP_KEY", "my-skills-dev")
    config = {k: v for k, v in app_config.items() if k not in ("APP_BASE_URL", "APP_KEY")}
    app = create_app(config)
    descriptor = app.test_client().get("/atlassian-connect.json").json
    with app.app_context():
        from addon.extensions import db
        db.engine.dispose()
    assert descriptor["baseUrl"] == "https://tunnel.example.test/prefix"
    assert descriptor["key"] == "my-skills-dev"
