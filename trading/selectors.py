"""Reads about a user's money. The ledger issue replaces the body of these with ledger queries."""


def user_holds_balance(*, user) -> bool:
    """Whether the user holds any available or pending funds (blocks closing the account).

    No ledger exists yet, so nobody holds funds; the ledger issue answers this from the balance rows.
    """
    return False
