"""Transcripts: every format → Segments; publisher sources; paid transcription; imports."""
