"""Personal-data reporting for Connect tenants: `POST {baseUrl}/rest/atlassian-connect/latest/report-accounts`,
JWT-signed with the tenant's shared secret like every other call to Jira."""
from __future__ import annotations

from ..caller import TenantInfo
from ..jira import JiraClient, JiraUnavailable
from ..models import Tenant
from ..privacy import ReportAnswer, ReportFailed, read_answer

REPORT_ACCOUNTS_PATH = "/rest/atlassian-connect/latest/report-accounts"


class ConnectReporter:
    """One Connect tenant's reporter; JiraClient signs the call and waits out a bounded 429 Retry-After."""

    def __init__(self, client: JiraClient, tenant: TenantInfo) -> None:
        self.client = client
        self.tenant = tenant

    def report(self, accounts: list[dict[str, str]]) -> ReportAnswer:
        try:
            response = self.client.request(self.tenant, "POST", REPORT_ACCOUNTS_PATH, json={"accounts": accounts})
        except JiraUnavailable:
            raise ReportFailed("Jira could not be reached") from None
        return read_answer(response.status_code, response.headers, response.json,
                           (account["accountId"] for account in accounts))


def connect_reporter(client: JiraClient, tenant: Tenant) -> ConnectReporter:
    info = TenantInfo(tenant.id, tenant.client_key, tenant.shared_secret, tenant.base_url, tenant.installed,
                      tenant.auth_epoch)
    return ConnectReporter(client, info)
