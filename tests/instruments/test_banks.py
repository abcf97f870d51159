import uuid

import pytest

from accounts.models import Bank, InstrumentStatusChange

from ..conftest import client_for
from ..factories import UserFactory
from .conftest import BIC_DE, BIC_RO, IBAN_DE, IBAN_RO, make_bank

pytestmark = pytest.mark.django_db

BODY = {"bankName": "ING Bank", "iban": IBAN_RO, "swift": BIC_RO, "currency": "EUR"}


def url(user, bank=None):
    base = f"/api/v1/user/{user.pk}/bank"
    return f"{base}/{bank}" if bank else base


def test_create_bank_pending_with_reference_shape(user, user_api):
    response = user_api.post(url(user), BODY, format="json")
    assert response.status_code == 201
    data = response.json()["data"]
    assert set(data) == {"id", "status", "bankName", "iban", "swift", "currency", "createdAt"}
    assert data["status"] == "PENDING"
    assert (data["bankName"], data["iban"], data["swift"], data["currency"]) == ("ING Bank", IBAN_RO, BIC_RO, "EUR")
    assert isinstance(data["createdAt"], int)
    bank = Bank.objects.get(pk=data["id"], user=user)
    change = InstrumentStatusChange.objects.get(bank=bank)
    assert (change.from_status, change.to_status, change.actor, change.actor_user) == ("", "PENDING", "User", user)


def test_iban_spaces_and_case_are_normalised(user, user_api):
    body = {**BODY, "iban": "ro49 aaaa 1b31 0075 9384 0000", "swift": "ingbrobu", "currency": "ron"}
    data = user_api.post(url(user), body, format="json").json()["data"]
    assert (data["iban"], data["swift"], data["currency"]) == (IBAN_RO, BIC_RO, "RON")


def test_eleven_character_bic_accepted(user, user_api):
    response = user_api.post(url(user), {**BODY, "iban": IBAN_DE, "swift": BIC_DE}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"bankName": None}, "bankName", "The bank name field is required."),
        ({"iban": None}, "iban", "The iban field is required."),
        ({"swift": None}, "swift", "The swift field is required."),
        ({"currency": None}, "currency", "The currency field is required."),
        ({"bankName": "x" * 192}, "bankName", "The bank name may not be greater than 191 characters."),
        ({"iban": "RO49AAAA1B31007593840001"}, "iban", "The iban is not a valid IBAN."),
        ({"iban": "RO020NGB00009999002858000"}, "iban", "The iban is not a valid IBAN."),
        ({"iban": "RO49-AAAA-1B31"}, "iban", "The iban may only contain letters and numbers."),
        ({"swift": "123456"}, "swift", "The swift must be between 8 and 11 characters."),
        ({"swift": "INGBROBUX"}, "swift", "The swift must be 8 or 11 characters."),
        ({"swift": "ING-ROBU"}, "swift", "The swift may only contain letters and numbers."),
        ({"swift": "INGBZZBU"}, "swift", "The swift is not a valid SWIFT/BIC code."),
        ({"swift": BIC_DE}, "swift", "The swift does not match the country of the iban."),
        ({"currency": "EURO"}, "currency", "The selected currency is invalid."),
        ({"currency": "ABC"}, "currency", "The selected currency is invalid."),
        ({"currency": "XXX"}, "currency", "The selected currency is invalid."),
        ({"currency": "XAU"}, "currency", "The selected currency is invalid."),
    ],
)
def test_create_validation(user, user_api, changes, field, message):
    body = {key: value for key, value in {**BODY, **changes}.items() if value is not None}
    response = user_api.post(url(user), body, format="json")
    assert response.status_code == 422
    assert response.json() == {"message": "The given data was invalid.", "errors": {field: [message]}}
    assert not Bank.objects.exists()


def test_iban_unique_across_users(user, user_api, other_user):
    make_bank(other_user, iban=IBAN_RO)
    response = user_api.post(url(user), {**BODY, "iban": "RO49 AAAA 1B31 0075 9384 0000"}, format="json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"iban": ["The iban has already been taken."]}
    assert Bank.objects.count() == 1


def test_list_filters_and_scoping(user, user_api, other_user):
    confirmed_eur = make_bank(user, iban=IBAN_RO, currency="EUR", status="CONFIRMED")
    pending_ron = make_bank(user, iban=IBAN_DE, swift=BIC_DE, currency="RON")
    make_bank(other_user, iban="GB29NWBK60161331926819", swift="NWBKGB2L", currency="EUR", status="CONFIRMED")

    def ids(query=""):
        response = user_api.get(url(user) + query)
        assert response.status_code == 200
        return [item["id"] for item in response.json()["data"]]

    assert set(ids()) == {str(confirmed_eur.pk), str(pending_ron.pk)}
    assert ids("?status=confirmed") == [str(confirmed_eur.pk)]
    assert ids("?status=PENDING") == [str(pending_ron.pk)]
    assert ids("?status=rejected") == []
    assert ids("?currency=eur") == [str(confirmed_eur.pk)]
    assert ids("?status=pending&currency=EUR") == []
    bad = user_api.get(url(user) + "?status=deleted")
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"status": ["The selected status is invalid."]}


def test_show(user, user_api):
    bank = make_bank(user, status="CONFIRMED")
    response = user_api.get(url(user, bank.pk))
    assert response.status_code == 200
    assert response.json()["data"] == {
        "id": str(bank.pk),
        "status": "CONFIRMED",
        "bankName": "ING Bank",
        "iban": IBAN_RO,
        "swift": BIC_RO,
        "currency": "RON",
        "createdAt": int(bank.created_at.timestamp()),
    }


def test_another_users_bank_is_not_found_through_own_path(user_api, user, other_user):
    theirs = make_bank(other_user)
    assert user_api.get(url(user, theirs.pk)).json() == {"message": "No query results."}
    assert user_api.get(url(user, theirs.pk)).status_code == 404
    assert user_api.delete(url(user, theirs.pk)).status_code == 404
    assert Bank.objects.get(pk=theirs.pk).deleted_at is None
    assert user_api.get(url(user, uuid.uuid4())).status_code == 404
    assert user_api.get(url(user, "not-a-uuid")).status_code == 404


def test_another_users_path_is_409(user_api, other_user):
    theirs = make_bank(other_user)
    for response in (
        user_api.get(url(other_user)),
        user_api.get(url(other_user, theirs.pk)),
        user_api.delete(url(other_user, theirs.pk)),
        user_api.post(url(other_user), BODY, format="json"),
    ):
        assert response.status_code == 409
        assert response.json() == {"message": "This action is unauthorized."}
    assert Bank.objects.count() == 1


def test_inactive_and_unauthenticated(api, user):
    inactive = UserFactory(is_active=False)
    client = client_for(inactive)
    for response in (client.get(url(inactive)), client.post(url(inactive), BODY, format="json")):
        assert response.status_code == 403
        assert response.json() == {"message": "Your account is inactive."}
    assert api.get(url(user)).status_code == 401
    assert api.get(url(user)).json() == {"error": "Unauthenticated."}
    assert not Bank.objects.exists()


def test_delete_hides_the_bank_and_frees_its_iban(user, user_api):
    bank = make_bank(user)
    response = user_api.delete(url(user, bank.pk))
    assert response.status_code == 200
    assert response.json() == {"message": "This bank has been successfully deleted."}
    assert user_api.get(url(user, bank.pk)).status_code == 404
    assert user_api.get(url(user)).json() == {"data": []}
    assert user_api.delete(url(user, bank.pk)).status_code == 404
    bank.refresh_from_db()
    assert bank.deleted_at is not None  # kept for the history of what referenced it
    assert user_api.post(url(user), BODY, format="json").status_code == 201


def test_delete_of_a_used_bank_is_refused(user, user_api, used_instruments):
    bank = make_bank(user, status="CONFIRMED")
    used_instruments.add(bank.pk)
    response = user_api.delete(url(user, bank.pk))
    assert response.status_code == 403
    assert response.json() == {"message": "This bank has been already used in previous actions."}
    bank.refresh_from_db()
    assert bank.deleted_at is None
    assert user_api.get(url(user, bank.pk)).status_code == 200
