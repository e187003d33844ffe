"""Multi-cycle web research: search providers, safe page fetching, the research loop."""
