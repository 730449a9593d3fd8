"""The core every stage shares: settings, tables, database, errors, clock, ports, value types."""
