"""Getting documents in: loaders per format, cleaning, chunking, the ingestion job."""
