"""The relay's use cases over the ports only (no HTTP, SQL or boto3), built by the container."""
