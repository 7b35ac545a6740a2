"""The `evidence` command: builds the settings once and wires ingest, index and bot together."""
