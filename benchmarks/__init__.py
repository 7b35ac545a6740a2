"""Scripts that measure the product and print numbers (JSON under bench-results/): run each with
`python -m benchmarks.NAME` from the repository root; see benchmarks/README.md."""
