"""Everything Forge Remote: FIT verification (JWKS), lifecycle events, Jira calls with the system token."""
