"""Demo partner platform for `manage.py demo_seed`: DEMOSHOP with a key pair (private key under var/), two linked
users and a staff member, plus a ready-made curl line for the platform API."""

import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils import timezone

from accounts.models import User

from .keys import fingerprint
from .models import Platform
from .selectors import platform_keys_valid
from .services import platform_create, platform_key_generate, platform_staff_add, platform_user_link

CODE = "DEMOSHOP"
PASSWORD = "ccpro-demo-1234"
USERS = (
    ("shopper@demoshop.local", "Ioana", "Marin", "shop-1001", "ioana"),
    ("buyer@demoshop.local", "Dan", "Stan", "shop-1002", "dan"),
)
STAFF = ("staff@demoshop.local", "Alex", "Manager")


def private_key_path() -> Path:
    return Path(settings.VAR_DIR) / "demo" / "demoshop_private_key.pem"


def _write_key(path: Path, private_pem: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(private_pem)
    path.chmod(0o600)


def _key_matches(platform: Platform, path: Path) -> bool:
    if not path.exists():
        return False
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError:
        return False
    valid = {key.fingerprint for key in platform_keys_valid(platform=platform)}
    return fingerprint(private.public_key()) in valid


def _user(email, first, last) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, PASSWORD, first_name=first, last_name=last, is_active=True, email_verified_at=timezone.now()
        )
    return user


def seed() -> list[str]:
    path = private_key_path()
    platform = Platform.objects.filter(code=CODE).first()
    if platform is None:
        platform, private_pem = platform_create(
            code=CODE,
            name="Demo Shop",
            base_url="https://demoshop.example/",
            color_code="#1f6feb",
            checkout_enabled=True,
            widget_enabled=True,
        )
        _write_key(path, private_pem)
    elif not _key_matches(platform, path):
        # CCPro never keeps private keys: a lost (or another database's) demo key is replaced by a new pair.
        _write_key(path, platform_key_generate(platform=platform))
    for email, first, last, external_id, username in USERS:
        user = _user(email, first, last)
        platform_user_link(
            user=user, platform=platform, external={"userId": external_id, "username": username, "email": email}
        )
    platform_staff_add(platform=platform, user=_user(*STAFF), role="superadmin")
    token = jwt.encode({"platform": str(platform.pk), "expire": int(time.time()) + 3600}, path.read_text(), "RS512")
    return [
        f"partner platform {CODE}: id {platform.pk}, private key (RS512) in {path}",
        f"  its users: {', '.join(u[0] for u in USERS)} / {PASSWORD}; staff {STAFF[0]}",
        f"  try: curl -H 'token: {token}' {settings.SITE_URL}/api/v1/platform/{platform.pk}   (token valid 1 h)",
    ]
