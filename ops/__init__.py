"""Operator tooling: deploying the site and the relay to AWS."""
