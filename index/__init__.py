"""The library of evidence: catalog, embeddings, vector and lexical indexes, retrieval."""
