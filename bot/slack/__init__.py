"""The Slack adapter: Bolt listeners and Block Kit rendering over the answering core."""
