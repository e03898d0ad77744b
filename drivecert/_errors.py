"""The one root exception of drivecert."""


class DrivecertError(Exception):
    """Root of every error drivecert raises on purpose.

    Messages are one line: they name the bad value and the fix.
    """


class UsageError(DrivecertError):
    """Bad input from a user: an unknown name, an impossible value, a malformed spec.

    The CLI turns it into a one-line message and exit code 2.
    """
