"""The private warehouse: `Warehouse` owns connections to the DuckDB file and its
schema; `sql` runs `.sql` files; `db` loads nights and records files and publications;
`reference` and `pseudonyms` keep reference data and person keys in step."""

from warehouse.warehouse import Warehouse

__all__ = ["Warehouse"]
