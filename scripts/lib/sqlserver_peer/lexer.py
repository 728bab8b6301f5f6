"""Tokens of the T-SQL subset."""
from . import errors

# Reserved keywords (docs: "Reserved Keywords (Transact-SQL)"), the part this
# subset can meet; using one where a name is expected is error 156.
RESERVED = set("""ADD ALL ALTER AND ANY AS ASC BEGIN BETWEEN BY CASCADE CASE CHECK COLUMN COMMIT
CONSTRAINT CREATE CROSS CURRENT_TIMESTAMP DATABASE DEFAULT DELETE DESC DISTINCT DROP ELSE END ESCAPE
EXEC EXECUTE EXISTS FETCH FOREIGN FROM FULL GROUP HAVING IDENTITY IF IN INDEX INNER INSERT INTO IS JOIN
KEY LEFT LIKE NOT NULL OF OFF OFFSETS ON OR ORDER OUTER PRIMARY PROCEDURE REFERENCES RIGHT ROLLBACK
SELECT SET TABLE THEN TOP TRAN TRANSACTION TRUNCATE UNION UNIQUE UPDATE USE VALUES WHEN WHERE WITH
CONVERT CAST FOR OPTION EXCEPT INTERSECT RETURN WHILE PRINT GOTO OVER PIVOT UNPIVOT RAISERROR
DECLARE TRY CATCH THROW MERGE OPENQUERY OPENROWSET""".split())


class Tok:
    __slots__ = ("kind", "value", "line", "text")

    def __init__(self, kind, value, line, text):
        self.kind = kind      # word, qident, str, nstr, num, hex, var, gvar, op, eof
        self.value = value
        self.line = line
        self.text = text

    def __repr__(self):
        return "Tok(%s,%r)" % (self.kind, self.value)

    def is_word(self, *words):
        return self.kind == "word" and self.value.upper() in words


def tokenize(sql):
    toks = []
    i = 0
    n = len(sql)
    line = 1
    while i < n:
        c = sql[i]
        if c == "\n":
            line += 1
            i += 1
            continue
        if c.isspace():
            i += 1
            continue
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j
            continue
        if sql.startswith("/*", i):
            # T-SQL block comments nest.
            depth = 0
            j = i
            while j < n:
                if sql.startswith("/*", j):
                    depth += 1
                    j += 2
                elif sql.startswith("*/", j):
                    depth -= 1
                    j += 2
                    if depth == 0:
                        break
                else:
                    if sql[j] == "\n":
                        line += 1
                    j += 1
            if depth:
                raise errors.SqlError(113, "Missing end comment mark '*/'.", 15, 1, errors.COMPILE, line)
            i = j
            continue
        start_line = line
        if c in "nN" and i + 1 < n and sql[i + 1] == "'":
            s, i, line = _string(sql, i + 1, line)
            toks.append(Tok("nstr", s, start_line, "N'" + s + "'"))
            continue
        if c == "'":
            s, i, line = _string(sql, i, line)
            toks.append(Tok("str", s, start_line, "'" + s + "'"))
            continue
        if c == "[":
            j = i + 1
            out = []
            while True:
                if j >= n:
                    raise errors.SqlError(105, "Unclosed quotation mark after the character string '%s'." % sql[i + 1:], 15, 1, errors.COMPILE, line)
                if sql[j] == "]":
                    if j + 1 < n and sql[j + 1] == "]":
                        out.append("]")
                        j += 2
                        continue
                    break
                out.append(sql[j])
                j += 1
            toks.append(Tok("qident", "".join(out), start_line, sql[i:j + 1]))
            i = j + 1
            continue
        if c == '"':
            j = sql.find('"', i + 1)
            if j < 0:
                raise errors.SqlError(105, "Unclosed quotation mark after the character string '%s'." % sql[i + 1:], 15, 1, errors.COMPILE, line)
            toks.append(Tok("qident", sql[i + 1:j], start_line, sql[i:j + 1]))
            i = j + 1
            continue
        if c == "0" and i + 1 < n and sql[i + 1] in "xX":
            j = i + 2
            while j < n and sql[j] in "0123456789abcdefABCDEF":
                j += 1
            h = sql[i + 2:j]
            if len(h) % 2:
                h = "0" + h
            toks.append(Tok("hex", bytes.fromhex(h), start_line, sql[i:j]))
            i = j
            continue
        if c.isdigit() or (c == "." and i + 1 < n and sql[i + 1].isdigit()):
            j = i
            while j < n and (sql[j].isdigit() or sql[j] == "."):
                j += 1
            if j < n and sql[j] in "eE":
                j += 1
                if j < n and sql[j] in "+-":
                    j += 1
                while j < n and sql[j].isdigit():
                    j += 1
            toks.append(Tok("num", sql[i:j], start_line, sql[i:j]))
            i = j
            continue
        if c == "@":
            j = i + 1
            kind = "var"
            if j < n and sql[j] == "@":
                kind = "gvar"
                j += 1
            k = j
            while k < n and (sql[k].isalnum() or sql[k] in "_@#$"):
                k += 1
            toks.append(Tok(kind, sql[j:k], start_line, sql[i:k]))
            i = k
            continue
        if c.isalpha() or c in "_#":
            j = i
            while j < n and (sql[j].isalnum() or sql[j] in "_@#$"):
                j += 1
            toks.append(Tok("word", sql[i:j], start_line, sql[i:j]))
            i = j
            continue
        two = sql[i:i + 2]
        if two in ("<>", "!=", "<=", ">=", "!<", "!>", "+=", "-=", "::"):
            toks.append(Tok("op", two, start_line, two))
            i += 2
            continue
        if c in "=<>+-*/%(),.;~&|^":
            toks.append(Tok("op", c, start_line, c))
            i += 1
            continue
        raise errors.syntax_near(c)
    toks.append(Tok("eof", None, line, ""))
    return toks


def _string(sql, i, line):
    j = i + 1
    out = []
    n = len(sql)
    while True:
        if j >= n:
            raise errors.SqlError(105, "Unclosed quotation mark after the character string '%s'." % sql[i + 1:],
                                  15, 1, errors.COMPILE, line)
        ch = sql[j]
        if ch == "'":
            if j + 1 < n and sql[j + 1] == "'":
                out.append("'")
                j += 2
                continue
            return "".join(out), j + 1, line
        if ch == "\n":
            line += 1
        out.append(ch)
        j += 1
