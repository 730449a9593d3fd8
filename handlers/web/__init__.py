"""WSGI serving for the web role: the HTTP server and AssemblyAI's webhook."""
