"""What the relay needs only on AWS Lambda: run-time settings from Secrets Manager and SSM,
metrics, logs and traces (Powertools), SES bounce and complaint events, and the entry points
that template.yaml names (`relay.aws.handlers`)."""
