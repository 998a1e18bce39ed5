"""The benchmark at scale (issue 8): see bench/README.md. Run from the repository root."""
