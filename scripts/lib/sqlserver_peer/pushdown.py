"""Narrowing a single-table scan with SQLite before the WHERE clause is
evaluated in Python. Only `column = value` and `column IN (values)` conjuncts
whose values do not depend on the row are used, on the column's stored form
(strings compare under the CI collation, so the same rows match). The full
WHERE is still evaluated on every row returned, so this can only make a scan
cheaper, never change its result."""
from . import errors
from .catalog import fold
from .evaluate import Context, Scope, evaluate
from .datatypes import convert, to_storage


def _row_free(node):
    if node is None or not hasattr(node, "kind"):
        return True
    if node.kind in ("col", "agg", "subquery"):
        return False
    for v in node.__dict__.values():
        if hasattr(v, "kind") and not _row_free(v):
            return False
        if isinstance(v, (list, tuple)):
            for x in v:
                if hasattr(x, "kind") and not _row_free(x):
                    return False
    return True


def _conjuncts(node):
    if node is None:
        return []
    if node.kind == "and":
        return _conjuncts(node.left) + _conjuncts(node.right)
    return [node]


def narrow(session, table, where, alias):
    """SQL condition and arguments, or None when nothing can be used."""
    for c in _conjuncts(where):
        col = values = None
        if c.kind == "cmp" and c.op == "=":
            for a, b in ((c.left, c.right), (c.right, c.left)):
                if a.kind == "col" and _row_free(b):
                    col, values = a, [b]
                    break
        elif c.kind == "in" and not c.neg and c.expr.kind == "col" and all(_row_free(i) for i in c.items):
            col, values = c.expr, c.items
        if col is None:
            continue
        if len(col.parts) > 1 and fold(col.parts[-2]) not in (fold(alias), fold(table.name)):
            continue
        cdef = table.col(col.parts[-1])
        if cdef is None:
            continue
        t = cdef["sqltype"]
        if t.name in ("float", "datetimeoffset", "varbinary"):
            continue  # varbinary compares with trailing zeros ignored; keep those in Python
        try:
            vals = [evaluate(v, Context(session, Scope())) for v in values]
            if t.is_string() and any(v is not None and not isinstance(v, str) for v in vals):
                continue  # a non-string value converts the column instead (data type precedence)
            stored = [to_storage(convert(v, t), t) for v in vals if v is not None]
        except (errors.SqlError, ValueError, TypeError, ArithmeticError):
            continue  # let the full evaluation report it
        if not stored:
            return "0", []
        return "c%d IN (%s)" % (cdef["id"], ", ".join("?" for _ in stored)), stored
    return None
