"""The process: config, app factory, CLI, servers, the clock, doctor."""
