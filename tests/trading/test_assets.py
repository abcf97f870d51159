import pytest

from trading.models import Asset
from trading.selectors import asset_get, asset_list

pytestmark = pytest.mark.django_db


def test_seeded_assets_carry_kind_chain_and_precision():
    xbt, eth, ipsx, eur = (asset_get(s) for s in ("XBT", "ETH", "IPSX", "EUR"))
    assert (xbt.kind, xbt.chain.symbol, xbt.decimals) == ("coin", "XBT", 8)
    assert (eth.kind, eth.chain.symbol, eth.decimals) == ("coin", "ETH", 18)
    assert (ipsx.kind, ipsx.chain.symbol, ipsx.decimals) == ("token", "ETH", 18)
    assert (eur.kind, eur.chain, eur.decimals) == ("fiat", None, 2)
    assert {a.symbol for a in asset_list(kind="fiat")} == {"EUR", "USD", "RON", "CHF"}


def test_asset_get_is_case_insensitive_and_skips_inactive():
    assert asset_get("eth").symbol == "ETH"
    assert asset_get("DOGE") is None
    Asset.objects.filter(symbol="CHF").update(active=False)
    assert asset_get("CHF") is None
    assert asset_get("CHF", active_only=False).symbol == "CHF"
    assert "CHF" not in {a.symbol for a in asset_list()}
