"""Measuring the product: retrieval on BEIR datasets, question sets, answer sets, paired comparison.

Everything here runs through the product's own ingestion, search and answering (`bot.answering`),
so a figure measures what practitioners get. The command line (`evidence eval`) and the scripts
in `benchmarks/` use it; nothing in `bot`, `index` or `ingest` imports it.
"""
