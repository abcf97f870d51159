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


@pytest.mark.django_db
def test_configuration_version_is_bumped_again_after_the_commit(django_capture_on_commit_callbacks):
    """A reader between the first bump and the commit may cache the rows as they were; the second bump, after
    the commit, makes that entry unreachable."""
    from django.core.cache import cache

    from trading.selectors import CONFIG_VERSION_KEY, market_config_invalidate

    with django_capture_on_commit_callbacks(execute=True):
        market_config_invalidate()
        during = cache.get(CONFIG_VERSION_KEY)
    assert during is not None
    assert cache.get(CONFIG_VERSION_KEY) not in (None, during)
