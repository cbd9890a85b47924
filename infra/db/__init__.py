"""PostgreSQL: embedded server, role bootstrap, engine, unit of work, migrations."""
