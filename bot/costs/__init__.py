"""Paid usage: the usage ledger and the transcription budget."""
