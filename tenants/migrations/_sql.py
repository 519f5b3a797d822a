"""Raw SQL for migrations that only PostgreSQL runs (triggers); other databases skip it."""


def on_postgresql(sql: str):
    """A RunPython function executing ``sql`` on PostgreSQL and doing nothing elsewhere."""

    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: a % in RAISE is literal

    return run
