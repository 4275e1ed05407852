"""The network edge for news sources: HTTP fetching, the SSRF guard, the polling orchestrator."""
