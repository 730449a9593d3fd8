"""Insight engines behind one protocol: claims, the extractive engine, episode summaries."""
