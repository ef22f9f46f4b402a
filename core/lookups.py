"""``has_item``: a JSON list field holds one value.

Django has no ``contains`` on JSON for SQLite (the embedded default of ``make run``), so the same
query is written once: ``@>`` on PostgreSQL (GIN-indexable) and ``json_each`` on SQLite."""

import json
from typing import Any

from django.db.models import JSONField, Lookup


@JSONField.register_lookup
class HasItem(Lookup):
    lookup_name = "has_item"
    prepare_rhs = False

    def _item(self) -> Any:
        # Choices members become their plain value; numbers stay numbers.
        return self.rhs if isinstance(self.rhs, (int, float)) else str(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", (*params, json.dumps([self._item()]))

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params = self.process_lhs(compiler, connection)
        return f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)", (*params, self._item())  # noqa: S608 (lhs is a column)
