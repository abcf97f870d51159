from decimal import Decimal

from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder


class ContractJSONEncoder(JSONEncoder):
    """DRF's encoder turns Decimal into float; money must stay exact, so it becomes a plain decimal string."""

    def default(self, obj):
        if isinstance(obj, Decimal):
            return format(obj, "f")
        return super().default(obj)


class ContractJSONRenderer(JSONRenderer):
    encoder_class = ContractJSONEncoder
