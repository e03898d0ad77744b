"""The one root exception of drivecert."""


class DrivecertError(Exception):
    """Root of every error drivecert raises on purpose.

    Messages are one line: they name the bad value and the fix.
    """


class UsageError(DrivecertError):
    """Bad input from a user: an unknown name, an impossible value, a malformed spec.

    The CLI turns it into a one-line message and exit code 2.
    """


_ERROR_CHARS = 500


def one_line(error: str | BaseException) -> str:
    """An error as one line of at most 500 characters (never empty).

    A drivecert error keeps its message; any other exception is prefixed with its type
    (``ConnectionError: refused``), so a stored failure says what went wrong.
    """
    if isinstance(error, BaseException):
        text = (
            str(error) if isinstance(error, DrivecertError) else f"{type(error).__name__}: {error}"
        )
    else:
        text = error
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    if len(line) > _ERROR_CHARS:
        line = line[: _ERROR_CHARS - 3] + "..."
    return line or "failed"
