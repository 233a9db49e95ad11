"""What can go wrong with a respondent's keys and files, for every area that stores them."""


class KeyDestroyedError(Exception):
    """The respondent's key was destroyed: nothing can be stored for or read from them."""


class RespondentWithdrawnError(Exception):
    """The respondent has withdrawn: nothing new may be stored for them."""


class KeyMismatchError(Exception):
    """A respondent's public key no longer matches their sealed private key."""
