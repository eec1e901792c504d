"""The `json` platform: any JSON endpoint, the text of one field (a dotted path) or all of it."""

from watcher.sources.jsonapi.source import (
    FieldPath,
    JsonSource,
    parse_field_path,
    render_value,
    resolve,
)

__all__ = ["FieldPath", "JsonSource", "parse_field_path", "render_value", "resolve"]
