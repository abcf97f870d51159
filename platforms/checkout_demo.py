"""Demo of the checkout widget for `manage.py demo_seed` (after platforms.demo): entry URLs signed with
DEMOSHOP's private key (var/demo/), one for a linked shopper and one for a new buyer."""

import time
import uuid
from urllib.parse import urlencode

import jwt
from django.conf import settings

from .demo import CODE, USERS, private_key_path
from .models import Platform


def _url(private_pem: str, *, email: str, user_id: str, first: str, last: str) -> str:
    payload = {
        "user": {"id": user_id, "email": email, "first_name": first, "last_name": last, "dob": "1990-05-17"},
        "payment": {
            "operation": "buy",
            "type": "coin",
            "symbol": "ETH",
            "amount": "0.25",
            "fiat": "EUR",
            "request_id": str(uuid.uuid4()),
            "method": "bank",
            "attempts": 3,
        },
        "ping_url": "",
        "redirect_url": "https://demoshop.example/thank-you",
        "expire": int(time.time()) + 3600,
    }
    token = jwt.encode(payload, private_pem, "RS512")
    return f"{settings.SITE_URL}/checkout/?" + urlencode({"platform": CODE, "token": token, "lang": "en"})


def seed() -> list[str]:
    platform = Platform.objects.filter(code=CODE).first()
    path = private_key_path()
    if platform is None or not path.exists():
        return ["checkout widget: no DEMOSHOP platform (platforms.demo seeds it first)"]
    private_pem = path.read_text()
    email, first, last, external_id, _ = USERS[0]
    return [
        "checkout widget (links valid 1 h; each opens a new checkout):",
        f"  as {email}: {_url(private_pem, email=email, user_id=external_id, first=first, last=last)}",
        "  as a new buyer (the email code is in the console mail): "
        + _url(private_pem, email=f"guest-{uuid.uuid4().hex[:6]}@demoshop.local", user_id="", first="Gabi", last="Ene"),
    ]
