"""The offline demo on the bundled sample podcasts."""
