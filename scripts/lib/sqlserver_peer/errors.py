"""SQL Server errors as the server reports them in the ERROR token (MS-TDS 2.2.7.10).

How an error affects the batch follows SQL Server's documented behaviour:
most constraint errors end only the statement (its work is undone, the batch
goes on); conversion errors and snapshot conflicts end the batch and roll the
transaction back; with SET XACT_ABORT ON every run-time error does the latter.
"""

STATEMENT = "statement"   # statement undone, batch continues
BATCH = "batch"           # batch ends, transaction rolled back
SCOPE = "scope"           # batch ends, transaction kept (name resolution)
COMPILE = "compile"       # nothing in the batch ran


class SqlError(Exception):
    def __init__(self, number, message, severity=16, state=1, abort=STATEMENT, line=1):
        super().__init__(message)
        self.number = number
        self.message = message
        self.severity = severity
        self.state = state
        self.abort = abort
        self.line = line


class Attention(BaseException):
    """The client sent an attention (MS-TDS 2.2.1.7) while a statement ran: the statement
    stops where it is and its work is undone, like any failed statement's; an open
    transaction stays open (with SET XACT_ABORT ON it is rolled back). A BaseException so
    that no handler of SQL errors swallows it on its way to the connection."""


def syntax_near(token):
    return SqlError(102, "Incorrect syntax near '%s'." % token, 15, 1, COMPILE)


def syntax_keyword(keyword):
    return SqlError(156, "Incorrect syntax near the keyword '%s'." % keyword.upper(), 15, 1, COMPILE)


def unsupported(what):
    # Not a SQL Server message: this server refuses what it does not model
    # rather than answering wrongly. Number 40000-range is unused by SQL Server
    # for on-premises messages; 50000 is what RAISERROR uses for ad-hoc text.
    return SqlError(50000, "Not supported by this test server (sqlserver-peer): %s" % what, 16, 1, COMPILE)


def invalid_object(name):
    return SqlError(208, "Invalid object name '%s'." % name, 16, 1, SCOPE)


def invalid_column(name):
    return SqlError(207, "Invalid column name '%s'." % name, 16, 1, SCOPE)


def ambiguous_column(name):
    return SqlError(209, "Ambiguous column name '%s'." % name, 16, 1, SCOPE)


def must_declare(name):
    return SqlError(137, 'Must declare the scalar variable "%s".' % name, 15, 2, COMPILE)


def conversion(value, from_type, to_type):
    return SqlError(245, "Conversion failed when converting the %s value '%s' to data type %s."
                    % (from_type, value, to_type), 16, 1, BATCH)
