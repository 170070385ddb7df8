"""The relay's HTTP API: one Powertools resolver shared by Lambda and the local server."""
