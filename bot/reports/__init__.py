"""Health at a glance: status and the workspace overview."""
