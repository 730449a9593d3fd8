"""One podbrief process in a role: chat adapters and/or the scheduler."""
