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


# The fields Atlassian's Connect module reference gives each module this descriptor declares (the
# "Entity Property" and "Webhook" module pages of the Jira Cloud platform docs): any other key, a
# missing required one or a value outside the documented set is what Jira's descriptor validation refuses.
ENTITY_PROPERTY_FIELDS = {"key", "name", "entityType", "keyConfigurations"}
EXTRACTION_TYPES = {"number", "text", "string", "user", "date"}
WEBHOOK_FIELDS = {"event", "url", "excludeBody", "filter", "propertyKeys"}
CONNECT_SCOPES = {"NONE", "READ", "WRITE", "DELETE", "PROJECT_ADMIN", "ADMIN", "ACT_AS_USER", "ACCESS_EMAIL_ADDRESSES"}


def test_descriptor_indexes_the_required_skills_property_for_jql(client):
    descriptor = client.get("/atlassian-connect.json").json
    modules = descriptor["modules"]
    [module] = modules["jiraEntityProperties"]
    assert set(module) == ENTITY_PROPERTY_FIELDS
    assert module["entityType"] == "issue" and set(module["name"]) == {"value"}
    assert module["key"].replace("-", "").isalnum()
    [configuration] = module["keyConfigurations"]
    assert set(configuration) == {"propertyKey", "extractions"}
    assert configuration["propertyKey"] == "required-skills"
    # An array's extraction names the type of its elements (the module page: "array types can be indexed").
    assert configuration["extractions"] == [{"objectName": "skills", "type": "string", "alias": "requiredSkill"}]
    assert all(set(e) <= {"objectName", "type", "alias"} and e["type"] in EXTRACTION_TYPES
               for e in configuration["extractions"])


def test_descriptor_asks_for_the_scopes_and_webhook_of_issue_skills(client):
    descriptor = client.get("/atlassian-connect.json").json
    # PUT of an issue property needs WRITE, its DELETE needs DELETE (docs/api.md and docs/jira-setup.md, issue properties).
    assert descriptor["scopes"] == ["READ", "WRITE", "DELETE"] and set(descriptor["scopes"]) <= CONNECT_SCOPES
    [hook] = descriptor["modules"]["webhooks"]
    assert set(hook) <= WEBHOOK_FIELDS
    assert hook == {"event": "jira:issue_deleted", "url": "/connect/webhooks/issue-deleted", "excludeBody": False}
    panel = descriptor["modules"]["webPanels"][0]
    assert panel["url"] == "/panels/issue?issueKey={issue.key}&issueId={issue.id}"
