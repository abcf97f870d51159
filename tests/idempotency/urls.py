"""A money-moving endpoint for the Idempotency-Key tests: credits the caller through the real ledger."""

import uuid

from django.urls import include, path
from rest_framework import serializers

from ccpro import errors
from ccpro.api.idempotency import idempotent
from ccpro.api.responses import data_response
from ccpro.api.validation import InputSerializer
from ccpro.api.views import ApiView
from ccpro.urls import urlpatterns as project_urlpatterns
from trading.ledger import customer_account, ledger_post, system_account
from trading.ledger_models import LedgerAccount
from trading.models import Asset


class CreditInput(InputSerializer):
    amount = serializers.DecimalField(max_digits=20, decimal_places=8)
    fail = serializers.BooleanField(required=False, default=False)


class TestCreditApi(ApiView):
    @idempotent
    def post(self, request, user):
        data = CreditInput(data=request.data)
        data.is_valid(raise_exception=True)
        amount = data.validated_data["amount"]
        if amount > 100:
            raise errors.ActionForbidden("Too much.")
        eth = Asset.objects.get(symbol="ETH")
        posted = ledger_post(
            idempotency_key=f"test-credit:{uuid.uuid4()}",
            kind="deposit",
            legs=[
                (system_account(asset=eth, kind=LedgerAccount.Kind.OMNIBUS), -amount),
                (customer_account(user=user, asset=eth), amount),
            ],
        )
        if data.validated_data["fail"]:
            raise RuntimeError("boom after the effect")
        balance = customer_account(user=user, asset=eth).balance
        return data_response({"transaction": posted.pk, "balance": format(balance.normalize(), "f")}, status=201)


urlpatterns = [
    path("test/user/<str:user>/credit", TestCreditApi.as_view()),
    path("", include(project_urlpatterns)),
]
