import pytest

from accounts.models import InstrumentStatusChange, Wallet

from ..conftest import client_for
from ..factories import UserFactory
from .conftest import BTC_BECH32, BTC_P2PKH, BTC_P2SH, BTC_TAPROOT, ETH_ADDRESSES, make_wallet

pytestmark = pytest.mark.django_db

ETH = ETH_ADDRESSES[0]


def url(user, wallet=None):
    base = f"/api/v1/user/{user.pk}/wallet"
    return f"{base}/{wallet}" if wallet else base


def test_create_wallet_with_reference_shape(user, user_api):
    response = user_api.post(url(user), {"address": ETH, "alias": "Thanos", "coin": "ETH"}, format="json")
    assert response.status_code == 201
    data = response.json()["data"]
    assert set(data) == {"id", "status", "alias", "address", "coin", "createdAt"}
    assert (data["status"], data["alias"], data["address"], data["coin"]) == ("PENDING", "Thanos", ETH, "ETH")
    wallet = Wallet.objects.get(pk=data["id"], user=user)
    assert InstrumentStatusChange.objects.filter(wallet=wallet, to_status="PENDING").count() == 1


@pytest.mark.parametrize(
    ("coin", "address", "stored"),
    [
        ("ETH", ETH.lower(), ETH),  # no checksum in all-lower case: stored checksummed
        ("ETH", "0x" + ETH[2:].upper(), ETH),
        ("eth", ETH, ETH),
        ("IPSX", ETH, ETH),  # a token is validated for its chain
        ("XBT", BTC_P2PKH, BTC_P2PKH),
        ("XBT", BTC_P2SH, BTC_P2SH),
        ("XBT", BTC_BECH32, BTC_BECH32),
        ("XBT", BTC_BECH32.upper(), BTC_BECH32),
        ("XBT", BTC_TAPROOT, BTC_TAPROOT),
    ],
)
def test_valid_addresses_per_chain(user, user_api, coin, address, stored):
    response = user_api.post(url(user), {"address": address, "alias": "w", "coin": coin}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["data"]["address"] == stored
    assert response.json()["data"]["coin"] == coin.upper()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"address": None}, "address", "The address field is required."),
        ({"alias": None}, "alias", "The alias field is required."),
        ({"coin": None}, "coin", "The coin field is required."),
        ({"coin": "DOGE"}, "coin", "The selected coin is invalid."),
        ({"coin": "EUR"}, "coin", "The selected coin is invalid."),
        ({"alias": "my wallet"}, "alias", "The alias may only contain letters, numbers, dashes and underscores."),
        ({"alias": "a" * 192}, "alias", "The alias may not be greater than 191 characters."),
        ({"address": "0x5290-8400"}, "address", "The address may only contain letters and numbers."),
        ({"address": "0x52908400098527886e0F7030069857D2E4169EE7"}, "address", "The address checksum is invalid."),
        ({"address": "0x52908400098527886E0F7030069857D2E4169E"}, "address", "The address is not a valid ETH address."),
        ({"address": BTC_P2PKH}, "address", "The address is not a valid ETH address."),
        ({"coin": "XBT", "address": ETH}, "address", "The address is not a valid XBT address."),
        ({"coin": "XBT", "address": BTC_P2PKH[:-1] + "3"}, "address", "The address is not a valid XBT address."),
        (
            {"coin": "XBT", "address": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"},
            "address",
            "The address is not a valid XBT address.",
        ),
        (  # a v0 witness program encoded with bech32m (BIP-350 invalid vector)
            {"coin": "XBT", "address": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh"},
            "address",
            "The address is not a valid XBT address.",
        ),
    ],
)
def test_create_validation(user, user_api, changes, field, message):
    body = {"address": ETH, "alias": "Thanos", "coin": "ETH", **changes}
    body = {key: value for key, value in body.items() if value is not None}
    response = user_api.post(url(user), body, format="json")
    assert response.status_code == 422
    assert response.json() == {"message": "The given data was invalid.", "errors": {field: [message]}}
    assert not Wallet.objects.exists()


def test_address_unique_whatever_its_case(user, user_api, other_user):
    make_wallet(other_user, address=ETH)
    response = user_api.post(url(user), {"address": ETH.lower(), "alias": "mine", "coin": "ETH"}, format="json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"address": ["The address has already been taken."]}


def test_alias_unique_per_user_only(user, user_api, other_user):
    make_wallet(user, alias="Thanos", address=ETH_ADDRESSES[1])
    make_wallet(other_user, alias="Savings", address=ETH_ADDRESSES[2])
    taken = user_api.post(url(user), {"address": ETH, "alias": "thanos", "coin": "ETH"}, format="json")
    assert taken.status_code == 422
    assert taken.json()["errors"] == {"alias": ["The alias has already been taken."]}
    assert (
        user_api.post(url(user), {"address": ETH, "alias": "Savings", "coin": "ETH"}, format="json").status_code == 201
    )


def test_list_filters_show_and_scoping(user, user_api, other_user):
    eth = make_wallet(user, address=ETH, status="CONFIRMED")
    btc = make_wallet(user, coin="XBT", address=BTC_BECH32)
    theirs = make_wallet(other_user, address=ETH_ADDRESSES[1])

    def ids(query=""):
        return [item["id"] for item in user_api.get(url(user) + query).json()["data"]]

    assert set(ids()) == {str(eth.pk), str(btc.pk)}
    assert ids("?coin=xbt") == [str(btc.pk)]
    assert ids("?status=confirmed&coin=ETH") == [str(eth.pk)]
    assert ids("?status=rejected") == []
    assert ids("?coin=DOGE") == []
    assert user_api.get(url(user) + "?status=nope").status_code == 422
    shown = user_api.get(url(user, eth.pk))
    assert shown.status_code == 200
    assert shown.json()["data"]["coin"] == "ETH"
    for response in (
        user_api.get(url(user, theirs.pk)),
        user_api.post(url(user, theirs.pk), {"alias": "stolen"}, format="json"),
        user_api.get(url(user, "zz")),
    ):
        assert response.status_code == 404
    assert user_api.get(url(other_user, theirs.pk)).status_code == 409
    assert Wallet.objects.get(pk=theirs.pk).alias != "stolen"


def test_update_changes_the_alias_only(user, user_api):
    wallet = make_wallet(user, address=ETH, status="CONFIRMED", alias="Old")
    make_wallet(user, address=ETH_ADDRESSES[1], alias="Other")
    body = {"alias": "New-name_1", "address": ETH_ADDRESSES[2], "coin": "XBT", "status": "PENDING"}
    response = user_api.post(url(user, wallet.pk), body, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["alias"], data["address"], data["coin"], data["status"]) == ("New-name_1", ETH, "ETH", "CONFIRMED")
    same = user_api.post(url(user, wallet.pk), {"alias": "new-NAME_1"}, format="json")
    assert same.status_code == 200  # its own alias is not "taken"
    taken = user_api.post(url(user, wallet.pk), {"alias": "other"}, format="json")
    assert taken.status_code == 422
    assert taken.json()["errors"] == {"alias": ["The alias has already been taken."]}
    bad = user_api.post(url(user, wallet.pk), {"alias": "a b"}, format="json")
    assert bad.json()["errors"] == {"alias": ["The alias may only contain letters, numbers, dashes and underscores."]}
    assert Wallet.objects.get(pk=wallet.pk).alias == "new-NAME_1"


def test_no_delete_endpoint(user, user_api):
    wallet = make_wallet(user, address=ETH)
    assert user_api.delete(url(user, wallet.pk)).status_code == 405
    assert Wallet.objects.get(pk=wallet.pk).deleted_at is None


def test_inactive_and_unauthenticated(api, user):
    inactive = UserFactory(is_active=False)
    client = client_for(inactive)
    response = client.post(url(inactive), {"address": ETH, "alias": "x", "coin": "ETH"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"message": "Your account is inactive."}
    assert api.post(url(user), {}, format="json").status_code == 401
    assert not Wallet.objects.exists()
