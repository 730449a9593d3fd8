"""Speed figures: `python -m bench.<area>` prints them; no assertions."""
