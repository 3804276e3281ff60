"""The documented exception types of the public API (all derive from SummarizerError)."""


class SummarizerError(Exception):
    """Base class: every error summarize() raises on purpose is one of these."""


class InputError(SummarizerError, ValueError):
    """The input cannot be summarized: empty, not Korean text, binary, or over a configured limit."""


class ModelUnavailableError(SummarizerError, RuntimeError):
    """The abstractive engine cannot run: weights or optional packages are missing.

    The message names the command that fixes it.
    """
