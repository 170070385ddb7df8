"""Domain errors: each one names what went wrong so adapters can map it to a precise answer."""

from __future__ import annotations


class RelayError(Exception):
    """Base of every error the domain and the stores raise on purpose."""

    code = "relay_error"


class NotFound(RelayError):
    """The thing asked for does not exist (or is no longer visible)."""

    code = "not_found"


class Expired(NotFound):
    """The row exists but its time to live has passed; reads treat it as gone."""

    code = "expired"


class Conflict(RelayError):
    """A conditional write lost: someone else changed the row first."""

    code = "conflict"


class IdempotencyMismatch(Conflict):
    """The same idempotency key came back with a different body."""

    code = "idempotency_mismatch"


class LeaseLost(Conflict):
    """A delivery job is no longer leased to this worker (expired or taken over)."""

    code = "lease_lost"


class InvalidTransition(RelayError):
    """The state machine does not allow this move (e.g. approving a delivered message)."""

    code = "invalid_transition"

    def __init__(self, current: str, target: str):
        super().__init__(f"cannot go from {current!r} to {target!r}")
        self.current = current
        self.target = target


class PolicyRefusal(RelayError):
    """A submission the service refuses by rule (age, mentor not accepting, rate limit...)."""

    code = "refused"

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


class InvalidInput(RelayError):
    """Field-level problems, as {field: error code}; the API words them in the page's language."""

    code = "invalid_input"

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class RateLimited(PolicyRefusal):
    """Too many posts in this window; `retry_after` says in how many seconds to try again."""

    def __init__(self, retry_after: int):
        super().__init__("rate_limited", f"try again in {retry_after} s")
        self.retry_after = retry_after


class MailRefused(RelayError):
    """The mail service refused for good (invalid address, bounce): retrying cannot help.

    `code` is the provider's short error code, safe to store; never an address.
    """

    code = "mail_refused"

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
