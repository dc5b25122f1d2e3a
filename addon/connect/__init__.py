"""Everything Atlassian Connect: JWT verification, install keys, lifecycle, descriptor, the client back to Jira."""
