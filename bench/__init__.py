"""The 1M-row benchmark: ``make bench`` runs ``python -m bench.run`` (docs/performance.md)."""
