"""Answers to questions from retrieved passages, with timestamped citations."""
