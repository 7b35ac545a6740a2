"""Answering: compose a cited answer and render it per surface."""
